/**
 * The rooms each client IP holds on this node: a room counts once per IP, however many of the
 * IP's connections are in it, and stops counting when the last of them leaves.
 */
export class IpRooms {
  /** IP → room → the IP's connections in it. */
  private readonly byIp = new Map<string, Map<string, number>>();

  add(ip: string, roomId: string): void {
    const rooms = this.byIp.get(ip) ?? new Map<string, number>();
    rooms.set(roomId, (rooms.get(roomId) ?? 0) + 1);
    this.byIp.set(ip, rooms);
  }

  remove(ip: string, roomId: string): void {
    const rooms = this.byIp.get(ip);
    const connections = rooms?.get(roomId);
    if (!rooms || connections === undefined) return;
    if (connections > 1) rooms.set(roomId, connections - 1);
    else rooms.delete(roomId);
    if (rooms.size === 0) this.byIp.delete(ip);
  }

  /** How many rooms on this node the IP's connections are in. */
  count(ip: string): number {
    return this.byIp.get(ip)?.size ?? 0;
  }
}
