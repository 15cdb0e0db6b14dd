import type { Role } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import { JoinsInFlight, type Release } from "./joins-in-flight.ts";
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
 * Who may take a room slot. The owner and presenters are held only to the per-connection cap
 * (they run their room). A join in flight holds its slots on this node from its check until it
 * has joined (`Release`), so a burst of joins cannot all pass the same check; members counted
 * across nodes (the room's and an IP's) may still overshoot by joins racing on other nodes.
 */
export class JoinLimits {
  private readonly inFlight = new JoinsInFlight();

  constructor(private readonly deps: JoinLimitsDeps) {}

  /** Throws when the join would go over a limit; a connection joining a room it is in is not checked. */
  async check(join: JoinAttempt): Promise<Release> {
    if (this.deps.presence.get(join.roomId, join.connectionId)) return () => undefined;
    const exempt = join.role === "owner" || join.role === "presenter";
    const opensHere = !exempt && !this.deps.presence.hasRoom(join.roomId);
    // Synchronous up to the reservation: no other join slips in between.
    this.checkConnection(join.connectionId);
    if (opensHere) this.checkNode(join.ip);
    const ahead = this.inFlight.fromIpInto(join.roomId, join.ip);
    const release = this.inFlight.hold({ ...join, opensHere });
    if (exempt) return release;
    try {
      const members = await this.checkRoom(join, ahead);
      if (!join.created && members === 0) await this.checkOpening(join);
      return release;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Rooms one IP may hold on this node. */
  ipShare(): number {
    return Math.max(1, Math.floor(this.deps.limits.maxRoomsPerNode * IP_SHARE_OF_NODE));
  }

  private checkConnection(connectionId: string): void {
    const max = this.deps.limits.maxRoomsPerConnection;
    const rooms = this.deps.presence.roomsOf(connectionId).length + this.inFlight.roomsJoiningBy(connectionId);
    if (max > 0 && rooms >= max) {
      throw new AppError("too_many_rooms", `One connection may be in at most ${max} rooms at once; leave one first.`);
    }
  }

  /**
   * A room new to this node takes a slot. An IP over its share gets `server_full` too, not
   * `rate_limited`: waiting does not help, leaving one of its rooms does.
   */
  private checkNode(ip: string): void {
    const { presence, limits } = this.deps;
    if (presence.roomCount() + this.inFlight.roomsOpening() >= limits.maxRoomsPerNode) {
      throw new AppError("server_full", "This server holds as many rooms as it may; try again later.");
    }
    if (presence.roomsHeldBy(ip) + this.inFlight.roomsOpeningFrom(ip) >= this.ipShare()) {
      throw new AppError(
        "server_full",
        `Your address is in ${this.ipShare()} rooms on this server, as many as one address may hold; leave one first.`,
      );
    }
  }

  /**
   * Returns the room's member count (every node). `ahead`: joins of this IP into this room that
   * were in flight here when this one began.
   */
  private async checkRoom(join: JoinAttempt, ahead: number): Promise<number> {
    const { directory, limits } = this.deps;
    const { count } = await directory.list(join.roomId, 0);
    if (count >= limits.maxMembersPerRoom)
      throw new AppError("room_full", `This room is full (${limits.maxMembersPerRoom} people).`);
    const perIp = limits.maxMembersPerIpPerRoom;
    // Of those, the ones still in flight (not yet in the directory's count; this join is among the in-flight).
    const inFlight = Math.min(ahead, this.inFlight.fromIpInto(join.roomId, join.ip) - 1);
    if (
      perIp > 0 &&
      count + inFlight >= perIp &&
      (await directory.countFrom(join.roomId, join.ip)) + inFlight >= perIp
    ) {
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
    throw new AppError(
      "rate_limited",
      `Your address has opened as many new rooms as it may for now; join an existing room or wait ${retryAfter} s.`,
      { retryAfter },
    );
  }
}
