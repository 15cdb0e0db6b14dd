import type { Member } from "@tokencast/protocol";
import { MAX_LISTED_MEMBERS } from "@tokencast/protocol";
import { IpRooms } from "./ip-rooms.ts";
import { MemberRegistry } from "./members.ts";
import type { Broadcaster, Logger, MemberDirectory, MemberListing } from "./ports.ts";
import { PresenceShaper } from "./presence-shaper.ts";
import { PresenceThrottle } from "./presence-throttle.ts";

export interface PresenceDeps {
  directory: MemberDirectory;
  broadcaster: Broadcaster;
  logger: Logger;
}

/**
 * Who is where. This node's own connections are kept locally (they decide what a connection may
 * do); the room lists everyone, on every node, from the shared MemberDirectory. Removals that
 * fail while the directory is unreachable are retried when it is back.
 */
export class Presence {
  private readonly local = new MemberRegistry();
  /** Each local connection's client IP (the directory counts members per IP), and the rooms each IP holds here. */
  private readonly ips = new Map<string, string>();
  private readonly ipRooms = new IpRooms();
  private readonly shaper = new PresenceShaper();
  private readonly throttle: PresenceThrottle;
  private readonly pending = new Set<Promise<void>>();
  /** Removals the directory did not take (it was down): "<room> <member>". */
  private readonly unsynced = new Map<string, { roomId: string; memberId: string }>();

  constructor(private readonly deps: PresenceDeps) {
    this.throttle = new PresenceThrottle(
      (roomId) => this.shaper.intervalMs(roomId),
      (roomId) => void this.publish(roomId),
    );
  }

  /** Adds a connection (from client IP `ip`) to a room; returns the room's first members and its count. */
  async join(roomId: string, member: Member, ip: string): Promise<MemberListing> {
    await this.deps.directory.add(roomId, member, ip);
    if (!this.local.get(roomId, member.id)) this.ipRooms.add(ip, roomId);
    this.ips.set(member.id, ip);
    this.local.add(roomId, member);
    this.unsynced.delete(key(roomId, member.id));
    this.throttle.changed(roomId);
    return this.deps.directory.list(roomId, MAX_LISTED_MEMBERS);
  }

  get(roomId: string, connectionId: string): Member | undefined {
    return this.local.get(roomId, connectionId);
  }

  leave(connectionId: string, roomId: string): void {
    if (!this.local.remove(roomId, connectionId)) return;
    const ip = this.ips.get(connectionId);
    if (ip !== undefined) this.ipRooms.remove(ip, roomId);
    this.track(this.removeShared(roomId, connectionId));
  }

  disconnect(connectionId: string): void {
    for (const roomId of this.local.roomsOf(connectionId)) this.leave(connectionId, roomId);
    this.ips.delete(connectionId);
  }

  /** How many rooms on this node the connections of client IP `ip` are in. */
  roomsHeldBy(ip: string): number {
    return this.ipRooms.count(ip);
  }

  /** The rooms a connection of this node is in. */
  roomsOf(connectionId: string): string[] {
    return this.local.roomsOf(connectionId);
  }

  hasRoom(roomId: string): boolean {
    return this.local.has(roomId);
  }

  /** Rooms with at least one member on this node. */
  rooms(): string[] {
    return this.local.roomIds();
  }

  roomCount(): number {
    return this.local.roomCount();
  }

  /** Keeps this node's members listed (call every directory.heartbeatEveryMs). */
  async heartbeat(): Promise<void> {
    await this.deps.directory.heartbeat();
  }

  /** Removes the members of dead nodes and tells their rooms. */
  async sweep(): Promise<void> {
    for (const roomId of await this.deps.directory.sweep()) this.relist(roomId);
  }

  /**
   * The directory is reachable again (it may have lost data, or missed removals): list every
   * local member again, retry failed removals, and refresh every local room's presence.
   */
  async restore(): Promise<void> {
    await this.deps.directory.heartbeat();
    for (const { roomId, memberId } of [...this.unsynced.values()]) await this.removeShared(roomId, memberId);
    for (const roomId of this.local.roomIds()) {
      for (const member of this.local.list(roomId))
        await this.deps.directory.add(roomId, member, this.ips.get(member.id));
      this.relist(roomId);
    }
  }

  /** Waits for removals in flight (before closing the directory's connection). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  dispose(): void {
    this.throttle.dispose();
  }

  /** Publishes the room's presence with its member list, whatever this node sent last (see PresenceShaper.relist). */
  private relist(roomId: string): void {
    this.shaper.relist(roomId);
    this.throttle.changed(roomId);
  }

  private async removeShared(roomId: string, memberId: string): Promise<void> {
    try {
      await this.deps.directory.remove(roomId, memberId);
      this.unsynced.delete(key(roomId, memberId));
      this.throttle.changed(roomId);
    } catch (error) {
      this.unsynced.set(key(roomId, memberId), { roomId, memberId });
      this.deps.logger.warn(
        { err: error, roomId },
        "could not remove a member from the shared list; retrying when the store is back",
      );
    }
  }

  private async publish(roomId: string): Promise<void> {
    try {
      const listing = await this.deps.directory.list(roomId, MAX_LISTED_MEMBERS);
      this.deps.broadcaster.presence(this.shaper.event(roomId, listing));
      if (!this.local.has(roomId)) this.shaper.forget(roomId);
    } catch (error) {
      this.deps.logger.warn({ err: error, roomId }, "could not publish presence");
    }
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}

function key(roomId: string, memberId: string): string {
  return `${roomId} ${memberId}`;
}
