/**
 * Members of Socket.IO rooms that live in this process, without a connection (an SSE stream's
 * viewer; cf. hocuspocus's DirectConnection).
 *
 * `attachDirectMembers` extends the adapter's `apply` (adapter-apply.ts), whatever its class: the
 * callback of every broadcast, fetch or disconnect also reaches the direct members of the rooms it
 * covers. So they receive the rooms' events (emitted here or on another node), show in
 * `fetchSockets()` with their `data` (the owner's drops and room closes reach them on every node)
 * and can be disconnected, exactly as sockets are; the broadcaster knows nothing of them.
 */
import { extendApply, type Adapter, type ApplyOptions } from "./adapter-apply.ts";
import type { SocketData } from "./types.ts";

type SocketCallback = (socket: DirectSocket) => void;

/** A packet as the adapter hands it to a socket (an event: `data` is `[name, ...args]`). */
export interface OutgoingPacket {
  type: number;
  data?: unknown[];
}

/**
 * What the adapter's callbacks use of a socket (broadcast, fetchSockets, socketsJoin/Leave,
 * disconnectSockets), provided by a direct member. Not broadcasts with acks (unused here).
 */
export interface DirectSocket {
  readonly id: string;
  readonly rooms: Set<string>;
  readonly data: Partial<SocketData>;
  readonly handshake: { address: string; headers: Record<string, string>; time: string; query: Record<string, string> };
  /** Broadcast: the packet, before it is written to a connection. */
  notifyOutgoingListeners(packet: OutgoingPacket): void;
  /** Broadcast: the encoded packet; a direct member has no connection to write it to. */
  readonly client: { writeToEngine(): void };
  join(rooms: string | string[]): void;
  leave(room: string): void;
  disconnect(close?: boolean): void;
}

export class DirectMembers {
  private readonly byRoom = new Map<string, Set<DirectSocket>>();
  private readonly all = new Set<DirectSocket>();

  constructor(private readonly adapter: Adapter) {}

  /**
   * Puts the member in the adapter's room too: the Redis adapter passes on another node's
   * broadcast only to rooms that have someone on this node.
   */
  add(member: DirectSocket, room: string): void {
    this.all.add(member);
    member.rooms.add(room);
    let members = this.byRoom.get(room);
    if (!members) this.byRoom.set(room, (members = new Set()));
    members.add(member);
    void this.adapter.addAll(member.id, new Set([room]));
  }

  remove(member: DirectSocket, room: string): void {
    member.rooms.delete(room);
    const members = this.byRoom.get(room);
    if (!members?.delete(member)) return;
    if (members.size === 0) this.byRoom.delete(room);
    void this.adapter.del(member.id, room);
  }

  /** The member leaves every room. */
  forget(member: DirectSocket): void {
    for (const room of [...member.rooms]) this.remove(member, room);
    this.all.delete(member);
  }

  count(): number {
    return this.all.size;
  }

  /** Calls `callback` for each member the adapter's `apply(opts)` covers. */
  apply(opts: ApplyOptions, callback: SocketCallback): void {
    if (this.all.size === 0) return;
    // Collected first: a callback may make members leave (disconnectSockets).
    for (const member of this.matching(opts)) callback(member);
  }

  private matching({ rooms, except }: ApplyOptions): Set<DirectSocket> {
    const found = new Set<DirectSocket>();
    const candidates = rooms.size === 0 ? [this.all] : [...rooms].map((room) => this.byRoom.get(room) ?? []);
    for (const members of candidates) {
      for (const member of members) if (!isExcepted(member, except)) found.add(member);
    }
    return found;
  }
}

function isExcepted(member: DirectSocket, except: ApplyOptions["except"]): boolean {
  if (!except) return false;
  for (const room of except) if (member.rooms.has(room)) return true;
  return false;
}

/** Extends the adapter's `apply` (see above); its direct members. */
export function attachDirectMembers(adapter: Adapter): DirectMembers {
  const members = new DirectMembers(adapter);
  extendApply<DirectSocket>(adapter, (opts, callback, localSockets) => {
    localSockets(opts, callback);
    members.apply(opts, callback);
  });
  return members;
}
