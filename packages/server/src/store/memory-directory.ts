import type { Member, MemberPlace, Role } from "@tokencast/protocol";
import { ROLES } from "@tokencast/protocol";
import type { MemberDirectory, MemberListing, MemberPage } from "../core/ports.ts";
import { JoinOrder } from "./join-order.ts";

/** A room's members by role (each in join order), and each member's role and client IP. */
interface Room {
  byRole: Record<Role, JoinOrder>;
  entries: Map<string, { role: Role; ip: string | undefined }>;
}

/**
 * MemberDirectory for a single node: each room's members, listed most powerful role first, then
 * by join time. Listing reads only the members it returns, so a join costs the same in any room.
 */
export class MemoryDirectory implements MemberDirectory {
  readonly heartbeatEveryMs = 0;
  private readonly rooms = new Map<string, Room>();
  /** Per room: client IP → members added with it (kept as they come and go: no scan per join). */
  private readonly ips = new Map<string, Map<string, number>>();

  async add(roomId: string, member: Member, ip?: string): Promise<void> {
    const room = this.rooms.get(roomId) ?? newRoom();
    this.rooms.set(roomId, room);
    const known = room.entries.get(member.id);
    if (!known) this.countIp(roomId, ip, 1);
    if (known && known.role !== member.role) room.byRole[known.role].delete(member.id);
    room.byRole[member.role].set({ ...member });
    room.entries.set(member.id, { role: member.role, ip: known ? known.ip : ip });
  }

  async remove(roomId: string, memberId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    const entry = room?.entries.get(memberId);
    if (!room || !entry) return;
    room.entries.delete(memberId);
    room.byRole[entry.role].delete(memberId);
    this.countIp(roomId, entry.ip, -1);
    if (room.entries.size === 0) this.rooms.delete(roomId);
  }

  async countFrom(roomId: string, ip: string): Promise<number> {
    return this.ips.get(roomId)?.get(ip) ?? 0;
  }

  async list(roomId: string, limit: number): Promise<MemberListing> {
    const { more: _more, ...listing } = await this.page(roomId, undefined, limit);
    return listing;
  }

  async page(roomId: string, after: MemberPlace | undefined, limit: number): Promise<MemberPage> {
    const room = this.rooms.get(roomId) ?? newRoom();
    const roleCounts = Object.fromEntries(ROLES.map((role) => [role, room.byRole[role].size]));
    const members = pageOf(room, after, limit + 1); // one more than asked says whether more follow
    return {
      members: members.slice(0, limit).map((member) => ({ ...member })),
      count: room.entries.size,
      roleCounts: roleCounts as MemberListing["roleCounts"],
      more: members.length > limit,
    };
  }

  async heartbeat(): Promise<void> {
    // One node: nobody to tell.
  }

  async sweep(): Promise<string[]> {
    return [];
  }

  private countIp(roomId: string, ip: string | undefined, change: 1 | -1): void {
    if (ip === undefined) return;
    const counts = this.ips.get(roomId) ?? new Map<string, number>();
    const count = (counts.get(ip) ?? 0) + change;
    if (count > 0) counts.set(ip, count);
    else counts.delete(ip);
    if (counts.size > 0) this.ips.set(roomId, counts);
    else this.ips.delete(roomId);
  }
}

/** Up to `limit` members after `after`: the rest of its role, then the roles below it. */
function pageOf(room: Room, after: MemberPlace | undefined, limit: number): Member[] {
  const members: Member[] = [];
  const from = after ? ROLES.indexOf(after.role) : 0;
  for (const role of ROLES.slice(from)) {
    const place = after?.role === role ? after : undefined;
    members.push(...room.byRole[role].after(place, limit - members.length));
  }
  return members;
}

function newRoom(): Room {
  const byRole = Object.fromEntries(ROLES.map((role) => [role, new JoinOrder()])) as Record<Role, JoinOrder>;
  return { byRole, entries: new Map() };
}
