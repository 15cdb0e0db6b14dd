import type { Role } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import type { ActionBudget, MemberDirectory, RoomStore } from "./ports.ts";
import type { Presence } from "./presence.ts";

export interface JoinLimitSettings {
  /** Members of a room on every node (`room_full`). */
  maxMembersPerRoom: number;
  /** Rooms with members on this node (`server_full`); one client IP may hold IP_SHARE_OF_NODE of them. */
  maxRoomsPerNode: number;
  /** Rooms one connection may be in at once (`too_many_rooms`); 0: no cap. */
  maxRoomsPerConnection: number;
  /** Members of one room (every node) from one client IP (`room_full`); 0: no cap. */
  maxMembersPerIpPerRoom: number;
}

export interface JoinLimitsDeps {
  limits: JoinLimitSettings;
  presence: Presence;
  directory: MemberDirectory;
  store: RoomStore;
  /** Ad-hoc rooms a client IP may open (ADHOC_ROOMS_PER_IP_PER_HOUR); absent: no budget. */
  adhocRooms?: ActionBudget;
}

/** A join about to happen: who, from where, into which room, as what. */
export interface JoinAttempt {
  roomId: string;
  connectionId: string;
  ip: string;
  role: Role;
  /** The room was created (POST /api/rooms), so it is no ad-hoc room. */
  created: boolean;
}

/**
 * The share of MAX_ROOMS_PER_NODE one client IP may hold (at least one room): a single address
 * cannot fill the node, and nine others like it still leave room for everyone else.
 */
export const IP_SHARE_OF_NODE = 0.1;

/**
 * Who may take a room slot. Checked before a join, so joins racing each other may overshoot by a
 * few; the owner and presenters are held only to the per-connection cap (they run their room).
 */
export class JoinLimits {
  constructor(private readonly deps: JoinLimitsDeps) {}

  /** Throws when the join would go over a limit; a connection joining a room it is in is not checked. */
  async check(join: JoinAttempt): Promise<void> {
    if (this.deps.presence.get(join.roomId, join.connectionId)) return;
    this.checkConnection(join.connectionId);
    if (join.role === "owner" || join.role === "presenter") return;
    if (!this.deps.presence.hasRoom(join.roomId)) this.checkNode(join.ip);
    const members = await this.checkRoom(join);
    if (!join.created && members === 0) await this.checkOpening(join);
  }

  /** Rooms one IP may hold on this node. */
  ipShare(): number {
    return Math.max(1, Math.floor(this.deps.limits.maxRoomsPerNode * IP_SHARE_OF_NODE));
  }

  private checkConnection(connectionId: string): void {
    const max = this.deps.limits.maxRoomsPerConnection;
    if (max > 0 && this.deps.presence.roomsOf(connectionId).length >= max) {
      throw new AppError("too_many_rooms", `One connection may be in at most ${max} rooms at once; leave one first.`);
    }
  }

  /**
   * A room new to this node takes a slot. An IP over its share gets `server_full` too, not
   * `rate_limited`: waiting does not help, leaving one of its rooms does.
   */
  private checkNode(ip: string): void {
    const { presence, limits } = this.deps;
    if (presence.roomCount() >= limits.maxRoomsPerNode) {
      throw new AppError("server_full", "This server holds as many rooms as it may; try again later.");
    }
    if (presence.roomsHeldBy(ip) >= this.ipShare()) {
      throw new AppError("server_full", `Your address is in ${this.ipShare()} rooms on this server, as many as one address may hold; leave one first.`);
    }
  }

  /** Returns the room's member count (every node). */
  private async checkRoom(join: JoinAttempt): Promise<number> {
    const { directory, limits } = this.deps;
    const { count } = await directory.list(join.roomId, 0);
    if (count >= limits.maxMembersPerRoom) throw new AppError("room_full", `This room is full (${limits.maxMembersPerRoom} people).`);
    const perIp = limits.maxMembersPerIpPerRoom;
    if (perIp > 0 && count >= perIp && (await directory.countFrom(join.roomId, join.ip)) >= perIp) {
      throw new AppError("room_full", `This room holds as many people from your address as it may (${perIp}).`);
    }
    return count;
  }

  /** An ad-hoc room nobody is in and that has no history is opened by this join: it spends the IP's budget. */
  private async checkOpening(join: JoinAttempt): Promise<void> {
    const budget = this.deps.adhocRooms;
    if (!budget || (await this.deps.store.listMessages(join.roomId)).length > 0) return;
    const waitMs = await budget.spend(join.ip);
    if (waitMs === undefined) return;
    const retryAfter = Math.ceil(waitMs / 1000);
    throw new AppError("rate_limited", `Your address has opened as many new rooms as it may for now; join an existing room or wait ${retryAfter} s.`, { retryAfter });
  }
}
