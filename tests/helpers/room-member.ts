/**
 * A room member for wire-level assertions: a bare socket.io-client that joins with any payload
 * (keys, roles, client ids), records every event it receives in order, and sends any event with
 * its ack returned as-is (`{ ok: false, error }` is a value, not an exception).
 */
import { io } from "socket.io-client";
import { ListedQueue, snapshotChange } from "@tokencast/protocol";
import type {
  ClientToServerEvents,
  ErrorCode,
  JoinPayload,
  JoinResult,
  ServerToClientEvents,
} from "@tokencast/protocol";
import { FAST_SOCKET, type RawSocket } from "./clients.ts";
import { waitFor } from "./wait.ts";

type ClientEvent = keyof ClientToServerEvents;
type ServerEvent = keyof ServerToClientEvents;
/** What the server acks for a client event. */
export type ReplyOf<E extends ClientEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
export type PayloadOf<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

export interface Received {
  event: ServerEvent;
  payload: unknown;
}

const ACK_TIMEOUT_MS = 10_000;
const open = new Set<RoomMember>();

export class RoomMember {
  /** Every server event, in arrival order. */
  readonly received: Received[] = [];
  /** The visible question queue as a client builds it: join snapshots and `queue:changed` patches (protocol rule). */
  readonly queue = new ListedQueue();

  constructor(readonly socket: RawSocket) {
    socket.onAny((event: ServerEvent, payload: unknown) => this.received.push({ event, payload }));
    socket.on("queue:changed", (change) => this.queue.apply(change));
  }

  /** Sends a client event and returns its ack. */
  request<E extends ClientEvent>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<ReplyOf<E>> {
    const emitter = this.socket.timeout(ACK_TIMEOUT_MS) as unknown as {
      emitWithAck(e: string, p: unknown): Promise<ReplyOf<E>>;
    };
    return emitter.emitWithAck(event, payload);
  }

  /** Joins, or throws with the refusal. */
  async join(payload: JoinPayload): Promise<JoinResult> {
    const joined = succeeded(await this.request("room:join", payload));
    this.queue.apply(snapshotChange(payload.roomId, joined.queue, joined.queueCount, joined.queueVersion));
    return joined;
  }

  /** Waits until the queue this member holds matches, and returns it. */
  queueMatching(match: (queue: ListedQueue) => boolean, timeoutMs = 15_000): Promise<ListedQueue> {
    return waitFor(() => (match(this.queue) ? this.queue : undefined), {
      timeoutMs,
      what: `the queue to match ${match.toString()}`,
    });
  }

  /** Payloads of one event received so far, in order. */
  all<E extends ServerEvent>(event: E): Array<PayloadOf<E>> {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as PayloadOf<E>);
  }

  /** Waits for a received `event` whose payload matches, and returns it. */
  next<E extends ServerEvent>(
    event: E,
    match: (payload: PayloadOf<E>) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<PayloadOf<E>> {
    return waitFor(() => this.all(event).find(match), { timeoutMs, what: `${event} matching ${match.toString()}` });
  }

  /** Waits until the latest `event` received matches (throttled broadcasts settle on the truth). */
  latest<E extends ServerEvent>(
    event: E,
    match: (payload: PayloadOf<E>) => boolean,
    timeoutMs = 15_000,
  ): Promise<PayloadOf<E>> {
    return waitFor(
      () => {
        const last = this.all(event).at(-1);
        return last !== undefined && match(last) ? last : undefined;
      },
      { timeoutMs, what: `the latest ${event} to match ${match.toString()}` },
    );
  }

  close(): void {
    open.delete(this);
    this.socket.close();
  }
}

export async function connectMember(url: string): Promise<RoomMember> {
  const socket: RawSocket = io(url, { ...FAST_SOCKET, reconnection: false });
  const member = new RoomMember(socket);
  open.add(member);
  await waitFor(() => socket.connected, { what: "a member's socket to connect" });
  return member;
}

/** Connects and joins; returns the member and its join result. */
export async function joinAs(url: string, payload: JoinPayload): Promise<{ member: RoomMember; joined: JoinResult }> {
  const member = await connectMember(url);
  return { member, joined: await member.join(payload) };
}

export function closeAllMembers(): void {
  for (const member of [...open]) member.close();
}

/** The success part of an ack, or an error naming the refusal. */
export function succeeded<T>(
  reply: ({ ok: true } & T) | { ok: false; error: { code: ErrorCode; message: string } },
): T {
  if (!reply.ok) throw new Error(`refused: ${reply.error.code}: ${reply.error.message}`);
  return reply;
}

/** The error code of a refused ack (undefined when it succeeded). */
export function refusal(reply: { ok: true } | { ok: false; error: { code: ErrorCode } }): ErrorCode | undefined {
  return reply.ok ? undefined : reply.error.code;
}
