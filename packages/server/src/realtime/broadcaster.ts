import { askerNotices } from "./asker-notices.ts";
import type { Broadcaster } from "../core/ports.ts";
import { SLOW_ROOM, type SlowViewerGuard } from "./slow-viewers.ts";
import type { IoServer } from "./types.ts";

/** Frame bytes of a chat:delta besides its text (event name, ids, seq). */
const DELTA_OVERHEAD_BYTES = 120;

/**
 * Room fan-out over Socket.IO rooms (with the Redis adapter, across nodes). Deltas and reasoning
 * skip slow viewers (they catch up from the log); everything else reaches everyone. What those
 * streamed broadcasts cost each node is measured where they are delivered (fan-out-costs.ts).
 */
/** `clustered`: other nodes share the rooms through the Redis adapter. */
export function socketBroadcaster(io: IoServer, slowViewers: SlowViewerGuard, clustered = false): Broadcaster {
  return {
    message: (message) => io.to(message.roomId).emit("chat:message", message),
    delta: (delta) => {
      slowViewers.beforeDelta(delta.roomId, delta.text.length + DELTA_OVERHEAD_BYTES);
      io.to(delta.roomId).except(SLOW_ROOM).emit("chat:delta", delta);
    },
    end: (end) => io.to(end.roomId).emit("chat:end", end),
    reasoning: (reasoning) => io.to(reasoning.roomId).except(SLOW_ROOM).emit("chat:reasoning", reasoning),
    presence: (presence) => io.to(presence.roomId).emit("room:presence", presence),
    roomUpdated: (event) => io.to(event.roomId).emit("room:updated", event),
    closeRoom: async (event, scope) => {
      // Told one by one right before the drop: a room-wide emit could reach a member after its
      // disconnect (another channel), or not at all while the adapter reconnects.
      const members = await (scope === "local" ? io.local : io).in(event.roomId).fetchSockets();
      for (const socket of members) socket.emit("room:closed", event);
      for (const socket of members) socket.disconnect(true);
      return members.length;
    },
    dropMembers: async (roomId, drop) => {
      // Every node's sockets in the room (through the adapter); a dropped client reconnects and
      // is refused at its next join.
      const dropped = (await io.in(roomId).fetchSockets()).filter((socket) => drop(socket.data.access?.[roomId] ?? {}));
      for (const socket of dropped) socket.disconnect(true);
      return dropped.length;
    },
    // Member ids are socket ids, and every socket is in a room of its own id: skip the typist.
    typing: (event) => io.to(event.roomId).except(event.member.id).emit("room:typing", event),
    queue: (event, list) => {
      if (list === "queue") io.to(event.roomId).emit("queue:changed", event);
      else if (list === "answered") io.to(event.roomId).emit("queue:answered", event);
      else io.to(moderatorsChannel(event.roomId)).emit("queue:pending", event);
    },
    questionDismissed: askerNotices(io, clustered),
    replay: (event) => io.to(event.roomId).emit("chat:replay", event),
  };
}

/**
 * The Socket.IO room of a room's owner and presenters (they hear the questions waiting for
 * approval). Room ids never hold a space, so it is never a room's own channel.
 */
export function moderatorsChannel(roomId: string): string {
  return `moderators ${roomId}`;
}

/** Tells this node's viewers of these rooms to join again (they may have missed events). */
export function resyncLocalRooms(io: IoServer, roomIds: string[]): void {
  for (const roomId of roomIds) io.local.to(roomId).emit("room:resync", { roomId });
}
