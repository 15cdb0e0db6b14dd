import type { Member } from "@tokencast/protocol";

/** Who is in which room on this node: one Member per (room, connection), with each connection's rooms indexed. */
export class MemberRegistry {
  private readonly rooms = new Map<string, Map<string, Member>>();
  /** Connection → its rooms (a connection's room count is read on every join). */
  private readonly connections = new Map<string, Set<string>>();

  add(roomId: string, member: Member): void {
    let members = this.rooms.get(roomId);
    if (!members) {
      members = new Map();
      this.rooms.set(roomId, members);
    }
    members.set(member.id, member);
    const rooms = this.connections.get(member.id) ?? new Set<string>();
    this.connections.set(member.id, rooms.add(roomId));
  }

  /** Returns true when the connection was in the room. */
  remove(roomId: string, connectionId: string): boolean {
    const members = this.rooms.get(roomId);
    if (!members?.delete(connectionId)) return false;
    if (members.size === 0) this.rooms.delete(roomId);
    const rooms = this.connections.get(connectionId);
    rooms?.delete(roomId);
    if (rooms?.size === 0) this.connections.delete(connectionId);
    return true;
  }

  get(roomId: string, connectionId: string): Member | undefined {
    return this.rooms.get(roomId)?.get(connectionId);
  }

  /** True when the room has a member on this node (read on every join: no copy of its list). */
  has(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  list(roomId: string): Member[] {
    return [...(this.rooms.get(roomId)?.values() ?? [])];
  }

  roomsOf(connectionId: string): string[] {
    return [...(this.connections.get(connectionId) ?? [])];
  }

  roomIds(): string[] {
    return [...this.rooms.keys()];
  }

  roomCount(): number {
    return this.rooms.size;
  }
}
