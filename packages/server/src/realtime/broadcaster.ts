import type { Broadcaster } from "../core/ports.ts";
import { SLOW_ROOM } from "./slow-viewers.ts";
import type { IoServer } from "./types.ts";

/**
 * Room fan-out over Socket.IO rooms (with the Redis adapter, across nodes). Deltas skip slow
 * viewers (they catch up from the log); everything else reaches everyone.
 */
export function socketBroadcaster(io: IoServer): Broadcaster {
  return {
    message: (message) => io.to(message.roomId).emit("chat:message", message),
    delta: (delta) => io.to(delta.roomId).except(SLOW_ROOM).emit("chat:delta", delta),
    end: (end) => io.to(end.roomId).emit("chat:end", end),
    reasoning: (reasoning) => io.to(reasoning.roomId).except(SLOW_ROOM).emit("chat:reasoning", reasoning),
    presence: (presence) => io.to(presence.roomId).emit("room:presence", presence),
  };
}

/** Tells this node's viewers of these rooms to join again (they may have missed events). */
export function resyncLocalRooms(io: IoServer, roomIds: string[]): void {
  for (const roomId of roomIds) io.local.to(roomId).emit("room:resync", { roomId });
}
