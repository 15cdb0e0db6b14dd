import type { Member } from "@tokencast/protocol";
import { ROLES } from "@tokencast/protocol";
import type { MemberDirectory, MemberListing } from "../core/ports.ts";

interface Entry {
  member: Member;
  ip: string | undefined;
}

/** MemberDirectory for a single node: each room's members, listed most powerful role first, then by join time. */
export class MemoryDirectory implements MemberDirectory {
  readonly heartbeatEveryMs = 0;
  private readonly rooms = new Map<string, Map<string, Entry>>();
  /** Per room: client IP → members added with it (kept as they come and go: no scan per join). */
  private readonly ips = new Map<string, Map<string, number>>();

  async add(roomId: string, member: Member, ip?: string): Promise<void> {
    let members = this.rooms.get(roomId);
    if (!members) {
      members = new Map();
      this.rooms.set(roomId, members);
    }
    if (!members.has(member.id)) this.countIp(roomId, ip, 1);
    members.set(member.id, { member, ip: members.get(member.id)?.ip ?? ip });
  }

  async remove(roomId: string, memberId: string): Promise<void> {
    const members = this.rooms.get(roomId);
    const entry = members?.get(memberId);
    if (!members || !entry) return;
    members.delete(memberId);
    this.countIp(roomId, entry.ip, -1);
    if (members.size === 0) this.rooms.delete(roomId);
  }

  async countFrom(roomId: string, ip: string): Promise<number> {
    return this.ips.get(roomId)?.get(ip) ?? 0;
  }

  async list(roomId: string, limit: number): Promise<MemberListing> {
    const members = [...(this.rooms.get(roomId)?.values() ?? [])].map((entry) => entry.member);
    const roleCounts = Object.fromEntries(ROLES.map((role) => [role, 0])) as MemberListing["roleCounts"];
    for (const member of members) roleCounts[member.role]++;
    const rank = (member: Member) => ROLES.indexOf(member.role);
    members.sort((a, b) => rank(a) - rank(b) || a.joinedAt - b.joinedAt);
    return { members: members.slice(0, limit).map((member) => ({ ...member })), count: members.length, roleCounts };
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
