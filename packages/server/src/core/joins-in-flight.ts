import { IpRooms } from "./ip-rooms.ts";

/** Gives back what a join held while it was in flight: call once it has joined (or failed). Idempotent. */
export type Release = () => void;

/**
 * What a join in flight holds: the room it enters, from which connection and IP, and whether it opens the room here.
 */
export interface HeldJoin {
  roomId: string;
  connectionId: string;
  ip: string;
  opensHere: boolean;
}

/**
 * Joins on this node between their limit checks and their listing as members: counted by the
 * checks of the joins after them, so that a burst of joins cannot all pass the same check.
 */
export class JoinsInFlight {
  private readonly openingByIp = new IpRooms();
  /** Rooms being opened on this node → joins opening them. */
  private readonly opening = new Map<string, number>();
  private readonly byConnection = new Map<string, number>();
  /** "<room> <ip>" → joins of that IP into that room. */
  private readonly fromIp = new Map<string, number>();

  hold(join: HeldJoin): Release {
    this.count(join, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.count(join, -1);
    };
  }

  /** Rooms new to this node that joins in flight are opening. */
  roomsOpening(): number {
    return this.opening.size;
  }

  roomsOpeningFrom(ip: string): number {
    return this.openingByIp.count(ip);
  }

  roomsJoiningBy(connectionId: string): number {
    return this.byConnection.get(connectionId) ?? 0;
  }

  /** Joins of this IP into this room in flight. */
  fromIpInto(roomId: string, ip: string): number {
    return this.fromIp.get(`${roomId} ${ip}`) ?? 0;
  }

  private count(join: HeldJoin, change: 1 | -1): void {
    if (join.opensHere) {
      if (change > 0) this.openingByIp.add(join.ip, join.roomId);
      else this.openingByIp.remove(join.ip, join.roomId);
      add(this.opening, join.roomId, change);
    }
    add(this.byConnection, join.connectionId, change);
    add(this.fromIp, `${join.roomId} ${join.ip}`, change);
  }
}

/** Adds `change` to a count, forgetting it at 0. */
function add(counts: Map<string, number>, key: string, change: number): void {
  const count = (counts.get(key) ?? 0) + change;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
}
