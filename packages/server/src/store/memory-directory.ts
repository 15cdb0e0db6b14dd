import type { Member } from "@tokencast/protocol";
import { ROLES } from "@tokencast/protocol";
import type { MemberDirectory, MemberListing } from "../core/ports.ts";

/** MemberDirectory for a single node: each room's members, listed most powerful role first, then by join time. */
export class MemoryDirectory implements MemberDirectory {
  readonly heartbeatEveryMs = 0;
  private readonly rooms = new Map<string, Map<string, Member>>();

  async add(roomId: string, member: Member): Promise<void> {
    let members = this.rooms.get(roomId);
    if (!members) {
      members = new Map();
      this.rooms.set(roomId, members);
    }
    members.set(member.id, member);
  }

  async remove(roomId: string, memberId: string): Promise<void> {
    const members = this.rooms.get(roomId);
    if (members?.delete(memberId) && members.size === 0) this.rooms.delete(roomId);
  }

  async list(roomId: string, limit: number): Promise<MemberListing> {
    const members = [...(this.rooms.get(roomId)?.values() ?? [])];
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
}
