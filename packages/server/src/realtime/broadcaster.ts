import type { Broadcaster } from "../core/ports.ts";
import type { IoServer } from "./types.ts";

/** Room fan-out over Socket.IO rooms (with the Redis adapter, across nodes). */
export function socketBroadcaster(io: IoServer): Broadcaster {
  return {
    message: (message) => io.to(message.roomId).emit("chat:message", message),
    delta: (delta) => io.to(delta.roomId).emit("chat:delta", delta),
    end: (end) => io.to(end.roomId).emit("chat:end", end),
    reasoning: (reasoning) => io.to(reasoning.roomId).emit("chat:reasoning", reasoning),
    presence: (presence) => io.to(presence.roomId).emit("room:presence", presence),
  };
}
