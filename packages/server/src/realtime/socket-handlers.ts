import {
  historyPayloadSchema,
  joinPayloadSchema,
  leavePayloadSchema,
  questionPayloadSchema,
  queueSubmitPayloadSchema,
  regeneratePayloadSchema,
  resumePayloadSchema,
  sendPayloadSchema,
  stopPayloadSchema,
  typingPayloadSchema,
  updateRoomPayloadSchema,
} from "@tokencast/protocol";
import type { Logger } from "../core/ports.ts";
import type { RoomService } from "../core/room-service.ts";
import type { Meter } from "./byte-budget.ts";
import { handle } from "./handle.ts";
import { enterRoom } from "./room-entry.ts";
import type { IoSocket } from "./types.ts";
import { refuseUnknownEvents } from "./unknown-events.ts";

/**
 * Binds the wire contract's client events for one connection to the room service. Join and
 * history acks go through `meter` (the client IP's byte budget): a refused one reads nothing.
 */
export function registerSocketHandlers(socket: IoSocket, rooms: RoomService, logger: Logger, meter: Meter): void {
  const log = logger.child({ socketId: socket.id });

  socket.on(
    "room:join",
    handle(joinPayloadSchema, (payload) => meter(() => enterRoom(rooms, socket, payload)), log),
  );

  socket.on(
    "room:leave",
    handle(
      leavePayloadSchema,
      async ({ roomId }) => {
        rooms.leave(socket.id, roomId);
        await socket.leave(roomId);
        return {};
      },
      log,
    ),
  );

  socket.on(
    "chat:send",
    handle(sendPayloadSchema, (payload) => rooms.send(socket.id, payload), log),
  );

  socket.on(
    "chat:stop",
    handle(
      stopPayloadSchema,
      acked((payload) => rooms.stop(socket.id, payload)),
      log,
    ),
  );

  socket.on(
    "chat:resume",
    handle(resumePayloadSchema, (payload) => rooms.resume(socket.id, payload), log),
  );

  socket.on(
    "room:history",
    handle(historyPayloadSchema, (payload) => meter(() => rooms.history(socket.id, payload)), log),
  );
  socket.on(
    "chat:regenerate",
    handle(regeneratePayloadSchema, (payload) => rooms.regenerate(socket.id, payload), log),
  );
  socket.on(
    "room:update",
    handle(updateRoomPayloadSchema, (payload) => rooms.updateSettings(socket.id, payload), log),
  );
  socket.on(
    "room:typing",
    handle(
      typingPayloadSchema,
      acked((payload) => rooms.typing(socket.id, payload)),
      log,
    ),
  );
  socket.on(
    "queue:submit",
    handle(queueSubmitPayloadSchema, (payload) => rooms.submitQuestion(socket.id, payload), log),
  );
  socket.on(
    "queue:vote",
    handle(questionPayloadSchema, (payload) => rooms.vote(socket.id, payload), log),
  );
  socket.on(
    "queue:send",
    handle(questionPayloadSchema, (payload) => rooms.sendQuestion(socket.id, payload), log),
  );
  socket.on(
    "queue:dismiss",
    handle(
      questionPayloadSchema,
      acked((payload) => rooms.dismissQuestion(socket.id, payload)),
      log,
    ),
  );

  socket.on("disconnect", () => rooms.disconnect(socket.id));
  refuseUnknownEvents(socket);
}

/** A handler that answers nothing but success: its ack result is `{}`. */
function acked<P>(run: (payload: P) => Promise<void>): (payload: P) => Promise<Record<string, never>> {
  return async (payload) => {
    await run(payload);
    return {};
  };
}
