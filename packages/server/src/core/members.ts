import type { Member } from "@tokencast/protocol";

/** Who is in which room on this node: one Member per (room, connection). */
export class MemberRegistry {
  private readonly rooms = new Map<string, Map<string, Member>>();

  add(roomId: string, member: Member): void {
    let members = this.rooms.get(roomId);
    if (!members) {
      members = new Map();
      this.rooms.set(roomId, members);
    }
    members.set(member.id, member);
  }

  /** Returns true when the connection was in the room. */
  remove(roomId: string, connectionId: string): boolean {
    const members = this.rooms.get(roomId);
    if (!members?.delete(connectionId)) return false;
    if (members.size === 0) this.rooms.delete(roomId);
    return true;
  }

  get(roomId: string, connectionId: string): Member | undefined {
    return this.rooms.get(roomId)?.get(connectionId);
  }

  list(roomId: string): Member[] {
    return [...(this.rooms.get(roomId)?.values() ?? [])];
  }

  roomsOf(connectionId: string): string[] {
    const rooms: string[] = [];
    for (const [roomId, members] of this.rooms) if (members.has(connectionId)) rooms.push(roomId);
    return rooms;
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  roomCount(): number {
    return this.rooms.size;
  }
}
