import type { Member } from "@tokencast/protocol";
import type { MemberDirectory } from "../core/ports.ts";

/** MemberDirectory for a single node: each room's members in join order. */
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

  async list(roomId: string, limit: number): Promise<{ members: Member[]; count: number }> {
    const members = this.rooms.get(roomId);
    if (!members) return { members: [], count: 0 };
    const listed: Member[] = [];
    for (const member of members.values()) {
      if (listed.length >= limit) break;
      listed.push({ ...member });
    }
    return { members: listed, count: members.size };
  }

  async heartbeat(): Promise<void> {
    // One node: nobody to tell.
  }

  async sweep(): Promise<string[]> {
    return [];
  }
}
