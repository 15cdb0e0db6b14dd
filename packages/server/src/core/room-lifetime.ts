import { AppError } from "./errors.ts";
import type { Broadcaster, Logger, MemberAccess } from "./ports.ts";
import type { RoomCatalog, RoomView } from "./room-catalog.ts";

export interface RoomLifetimeDeps {
  catalog: RoomCatalog;
  broadcaster: Broadcaster;
  logger: Logger;
  /** The rooms with members on this node. */
  localRooms: () => string[];
}

/**
 * The end of a room: a created room whose record is missing (e.g. Redis came back empty) is
 * gone, and its members are told and dropped on every node rather than left in a room that is
 * now open to anyone. Also drops chosen members of a room on every node.
 */
export class RoomLifetime {
  constructor(private readonly deps: RoomLifetimeDeps) {}

  /** The room for an action of one of its members; a room found gone is closed for everyone. */
  memberView(roomId: string): Promise<RoomView> {
    return this.ifRoomGone(roomId, this.deps.catalog.view(roomId));
  }

  /** `reading`'s result; when it finds the room gone, the room is closed on every node first. */
  async ifRoomGone<T>(roomId: string, reading: Promise<T>): Promise<T> {
    try {
      return await reading;
    } catch (error) {
      await this.closeIfGone(roomId, error, "cluster");
      throw error;
    }
  }

  /** Closes rooms of this node that are gone: each node closes its own members. */
  async closeGoneRooms(): Promise<void> {
    for (const roomId of this.deps.localRooms()) {
      // Redis down again: the next action finds out.
      await this.deps.catalog.view(roomId).catch((error: unknown) => this.closeIfGone(roomId, error, "local"));
    }
  }

  /** Disconnects the room's members `drop` picks, on every node; how many. */
  dropMembers(roomId: string, drop: (access: MemberAccess) => boolean): Promise<number> {
    return this.deps.broadcaster.dropMembers(roomId, drop).catch((error: unknown) => {
      // A node that does not answer keeps them until they reconnect, when their join is refused.
      this.deps.logger.warn({ err: error, roomId }, "could not reach every node to drop members");
      return 0;
    });
  }

  /** A `not_found` room read: the room is gone, its members are told and dropped. */
  private async closeIfGone(roomId: string, error: unknown, scope: "cluster" | "local"): Promise<void> {
    if (!(error instanceof AppError) || error.code !== "not_found") return;
    this.deps.logger.info({ roomId }, "room is gone (its record is missing): closing it");
    await this.deps.broadcaster.closeRoom({ roomId, error: error.toPayload() }, scope).catch((failure: unknown) => {
      // Members a node could not reach are refused (not_found) at their next action or join.
      this.deps.logger.warn({ err: failure, roomId }, "could not reach every node to close a room");
    });
  }
}
