/**
 * Members of Socket.IO rooms that live in this process, without a connection (an SSE stream's
 * viewer; cf. hocuspocus's DirectConnection).
 *
 * Every broadcast the adapter delivers on this node (emitted here, or received from another node
 * through the Redis adapter), and every fetch or disconnect of a room's sockets (also on behalf of
 * another node), ends in the adapter's `apply(opts, callback)`, which calls `callback` for each
 * local socket in `opts.rooms` and not in `opts.except`. `attachDirectMembers` extends that one
 * method of the adapter instance, whatever its class: the callback also reaches the direct members
 * of those rooms. So they receive the rooms' events, show in `fetchSockets()` with their `data`
 * (the owner's drops and room closes reach them on every node) and can be disconnected, exactly
 * as sockets are; the broadcaster knows nothing of them.
 */
import type { Namespace } from "socket.io";
import type { SocketData } from "./types.ts";

type Adapter = Namespace["adapter"];

/** The filters of `apply` (socket.io-adapter's BroadcastOptions). */
interface ApplyOptions {
  rooms: Set<string>;
  except?: Set<string>;
}

type SocketCallback = (socket: DirectSocket) => void;

/**
 * `apply` is private in socket.io-adapter's typings, but it is the one seam every adapter built
 * on the in-memory one shares (2.x); direct-members.test.ts holds it to that, with the memory and
 * the Redis adapter.
 */
interface Applying {
  apply(opts: ApplyOptions, callback: SocketCallback): void;
}

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
  const applying = adapter as unknown as Applying;
  const localSockets = applying.apply.bind(adapter);
  applying.apply = (opts, callback) => {
    localSockets(opts, callback);
    members.apply(opts, callback);
  };
  return members;
}
