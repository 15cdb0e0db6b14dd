import {
  historyPayloadSchema,
  joinCodePayloadSchema,
  joinPayloadSchema,
  leavePayloadSchema,
  membersPayloadSchema,
  questionPayloadSchema,
  queueEditPayloadSchema,
  queueSubmitPayloadSchema,
  regeneratePayloadSchema,
  replayPayloadSchema,
  resumePayloadSchema,
  sendPayloadSchema,
  stopPayloadSchema,
  typingPayloadSchema,
  updateRoomPayloadSchema,
} from "@tokencast/protocol";
import type { RoomService } from "../core/room-service.ts";
import type { Meter } from "./byte-budget.ts";
import { moderatorsChannel } from "./broadcaster.ts";
import { handle, type EventHandler } from "./handle.ts";
import { enterRoom } from "./room-entry.ts";
import type { IoSocket } from "./types.ts";

/** Who sent an event: the socket, its client IP, and that IP's byte budget for join, history and member-page acks. */
export interface Connection {
  socket: IoSocket;
  ip: string;
  meter: Meter;
}

/** The wire contract's client events, by name. */
export type SocketEvents = ReadonlyMap<string, EventHandler<Connection>>;

/**
 * Binds the wire contract's client events to the room service, once per server: a connection
 * holds no closure per event (thousands of idle viewers each paid ~20 of them). Join, history and
 * member-page acks go through the connection's `meter`: a refused one reads nothing.
 */
export function socketEvents(rooms: RoomService): SocketEvents {
  return new Map<string, EventHandler<Connection>>([
    ["room:join", handle(joinPayloadSchema, (p, { socket, meter }) => meter(() => enterRoom(rooms, socket, p)))],
    ["room:leave", handle(leavePayloadSchema, ({ roomId }, { socket }) => leave(rooms, socket, roomId))],
    ["chat:send", handle(sendPayloadSchema, (p, { socket }) => rooms.send(socket.id, p))],
    [
      "chat:stop",
      handle(
        stopPayloadSchema,
        acked((p, { socket }) => rooms.stop(socket.id, p)),
      ),
    ],
    ["chat:resume", handle(resumePayloadSchema, (p, { socket }) => rooms.resume(socket.id, p))],
    ["room:history", handle(historyPayloadSchema, (p, { socket, meter }) => meter(() => rooms.history(socket.id, p)))],
    ["room:members", handle(membersPayloadSchema, (p, { socket, meter }) => meter(() => rooms.members(socket.id, p)))],
    ["chat:regenerate", handle(regeneratePayloadSchema, (p, { socket }) => rooms.regenerate(socket.id, p))],
    [
      "chat:replay",
      handle(
        replayPayloadSchema,
        acked((p, { socket }) => rooms.replay(socket.id, p)),
      ),
    ],
    ["room:update", handle(updateRoomPayloadSchema, (p, { socket }) => rooms.updateSettings(socket.id, p))],
    [
      "room:typing",
      handle(
        typingPayloadSchema,
        acked((p, { socket }) => rooms.typing(socket.id, p)),
      ),
    ],
    ["room:join-code", handle(joinCodePayloadSchema, ({ roomId }, { socket }) => rooms.joinCode(socket.id, roomId))],
    ["queue:submit", handle(queueSubmitPayloadSchema, (p, { socket }) => rooms.submitQuestion(socket.id, p))],
    ["queue:vote", handle(questionPayloadSchema, (p, { socket }) => rooms.vote(socket.id, p))],
    ["queue:unvote", handle(questionPayloadSchema, (p, { socket }) => rooms.unvote(socket.id, p))],
    [
      "queue:edit",
      handle(
        queueEditPayloadSchema,
        acked((p, { socket }) => rooms.editQuestion(socket.id, p)),
      ),
    ],
    [
      "queue:withdraw",
      handle(
        questionPayloadSchema,
        acked((p, { socket }) => rooms.withdrawQuestion(socket.id, p)),
      ),
    ],
    [
      "queue:approve",
      handle(
        questionPayloadSchema,
        acked((p, { socket }) => rooms.approveQuestion(socket.id, p)),
      ),
    ],
    [
      "queue:restore",
      handle(
        questionPayloadSchema,
        acked((p, { socket }) => rooms.restoreQuestion(socket.id, p)),
      ),
    ],
    ["queue:send", handle(questionPayloadSchema, (p, { socket }) => rooms.sendQuestion(socket.id, p))],
    [
      "queue:dismiss",
      handle(
        questionPayloadSchema,
        acked((p, { socket }) => rooms.dismissQuestion(socket.id, p)),
      ),
    ],
  ]);
}

async function leave(rooms: RoomService, socket: IoSocket, roomId: string): Promise<Record<string, never>> {
  rooms.leave(socket.id, roomId);
  await socket.leave(roomId);
  await socket.leave(moderatorsChannel(roomId));
  return {};
}

/** A handler that answers nothing but success: its ack result is `{}`. */
function acked<P>(
  run: (payload: P, connection: Connection) => Promise<void>,
): (payload: P, connection: Connection) => Promise<Record<string, never>> {
  return async (payload, connection) => {
    await run(payload, connection);
    return {};
  };
}
