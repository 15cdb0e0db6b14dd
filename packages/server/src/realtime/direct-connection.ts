/**
 * A room member in this process without a network connection (see direct-members.ts): it enters
 * and leaves Socket.IO rooms through the adapter and hears what is broadcast to them, as the wire
 * carries it (a JSON copy made once per packet and shared by every direct member: read-only).
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "../core/ports.ts";
import type { DirectMembers, DirectSocket, OutgoingPacket } from "./direct-members.ts";
import type { SocketData } from "./types.ts";

/** socket.io-parser's PacketType.EVENT: `data` is `[name, ...args]`. */
const EVENT_PACKET = 2;

/** What socket.io says when the server disconnects a socket. */
const SERVER_DISCONNECT = "server namespace disconnect";

const copies = new WeakMap<OutgoingPacket, unknown[]>();

export type PacketListener = (event: string, payload: unknown) => void;

export class DirectConnection implements DirectSocket {
  /** Shaped like a socket id (20 URL-safe characters): members' ids show in presence. */
  readonly id = randomBytes(15).toString("base64url");
  readonly rooms = new Set<string>();
  readonly data: Partial<SocketData> = {};
  readonly handshake: DirectSocket["handshake"];
  readonly client = { writeToEngine: () => undefined };
  private closed = false;
  private listener: PacketListener = () => undefined;
  private lost: (reason: string) => void = () => undefined;

  constructor(
    private readonly members: DirectMembers,
    /** The client IP it acts for: every per-IP limit counts it there. */
    readonly ip: string,
    private readonly logger: Logger,
  ) {
    this.handshake = { address: ip, headers: {}, time: new Date().toString(), query: {} };
    // Like a socket, it is in a room of its own id: RemoteSocket.emit and .disconnect address it there.
    members.add(this, this.id);
  }

  /** Hears each event broadcast to its rooms, in order. */
  onPacket(listener: PacketListener): void {
    this.listener = listener;
  }

  /** Hears a disconnect by the server (a withdrawn invitation, a closed room, a slow viewer…). */
  onLost(listener: (reason: string) => void): void {
    this.lost = listener;
  }

  notifyOutgoingListeners(packet: OutgoingPacket): void {
    if (this.closed || packet.type !== EVENT_PACKET || !packet.data) return;
    try {
      const [event, payload] = copyOf(packet);
      this.listener(String(event), payload);
    } catch (error) {
      // Thrown inside the broadcast of an event: it must not reach the room's other members.
      this.logger.warn({ err: error, event: packet.data[0] }, "a direct member could not take an event: dropped");
      this.disconnect();
    }
  }

  join(rooms: string | string[]): void {
    if (this.closed) return; // a join that finished after the member was closed
    for (const room of [rooms].flat()) this.members.add(this, room);
  }

  leave(room: string): void {
    this.members.remove(this, room);
  }

  disconnect(): void {
    if (this.closed) return;
    this.close();
    this.lost(SERVER_DISCONNECT);
  }

  /** Leaves every room; hears nothing more. */
  close(): void {
    this.closed = true;
    this.members.forget(this);
  }
}

function copyOf(packet: OutgoingPacket): unknown[] {
  let copy = copies.get(packet);
  if (!copy) copies.set(packet, (copy = JSON.parse(JSON.stringify(packet.data)) as unknown[]));
  return copy;
}
