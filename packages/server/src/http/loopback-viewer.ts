/**
 * A Socket.IO connection from this node to itself, for a viewer that does not speak Socket.IO
 * (the SSE endpoint): it joins rooms through the wire contract like any client, so it gets the
 * same guarantees and, with the Redis adapter, events from every node.
 */
import type { AddressInfo } from "node:net";
import { io, type Socket } from "socket.io-client";
import { loopbackHeaders } from "../realtime/loopback-identity.ts";
import type {
  ClientToServerEvents,
  ErrorPayload,
  HistoryResult,
  JoinPayload,
  JoinResult,
  ResumeResult,
  ServerToClientEvents,
} from "@tokencast/protocol";
import { ListedQueue, MAX_HISTORY_PAGE, snapshotChange } from "@tokencast/protocol";
import { AppError } from "../core/errors.ts";
import type { LiveEvent } from "./room-stream.ts";

type LoopbackSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LoopbackViewer {
  /** `room:join`; throws `AppError` with the server's code when refused. */
  join(payload: JoinPayload): Promise<JoinResult>;
  /** `room:history`: the page before `before`; throws `AppError` with the server's code when refused. */
  history(roomId: string, before: string): Promise<HistoryResult>;
  /** `chat:resume`; throws `AppError` with the server's code when refused. */
  resume(roomId: string, messageId: string, afterSeq: number): Promise<ResumeResult>;
  /** Live events of the rooms joined, in arrival order. */
  onEvent(listener: (event: LiveEvent) => void): void;
  /** The connection is gone for good (it does not reconnect). */
  onLost(listener: (reason: string) => void): void;
  close(): void;
}

/** The URL at which this node reaches its own listening socket. */
export function loopbackUrl(address: AddressInfo | string | null): string {
  if (!address || typeof address === "string") throw new Error("the HTTP server is not listening on a TCP port");
  const host = address.address;
  if (host === "0.0.0.0" || host === "::" || host === "") return `http://127.0.0.1:${address.port}`;
  return address.family === "IPv6" ? `http://[${host}]:${address.port}` : `http://${host}:${address.port}`;
}

/**
 * Connects (WebSocket only, no reconnection) within `timeoutMs`, on behalf of the client at
 * `clientIp` (limits count it, not 127.0.0.1); rejects with `AppError`.
 */
export async function connectLoopback(url: string, timeoutMs: number, clientIp: string): Promise<LoopbackViewer> {
  const extraHeaders = loopbackHeaders(clientIp);
  const socket: LoopbackSocket = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, timeout: timeoutMs, extraHeaders });
  try {
    await connected(socket);
  } catch (error) {
    socket.close();
    throw new AppError("internal_error", "This node could not open its own realtime endpoint.", { cause: error });
  }
  return viewerOver(socket, timeoutMs);
}

function connected(socket: LoopbackSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
}

function viewerOver(socket: LoopbackSocket, timeoutMs: number): LoopbackViewer {
  // SSE consumers get the whole listed queue on each change (their `queue` event), built here from the patches.
  const queue = new ListedQueue();
  return {
    join: async (payload) => {
      const joined = await request<JoinResult>(socket, "room:join", payload, timeoutMs);
      queue.apply(snapshotChange(payload.roomId, joined.queue, joined.queueCount, joined.queueVersion));
      return joined;
    },
    history: (roomId, before) => request<HistoryResult>(socket, "room:history", { roomId, before, limit: MAX_HISTORY_PAGE }, timeoutMs),
    resume: (roomId, messageId, afterSeq) => request<ResumeResult>(socket, "chat:resume", { roomId, messageId, afterSeq }, timeoutMs),
    onEvent: (listener) => forwardEvents(socket, queue, listener),
    onLost: (listener) => void socket.on("disconnect", (reason) => listener(reason)),
    close: () => void socket.close(),
  };
}

function forwardEvents(socket: LoopbackSocket, queue: ListedQueue, listener: (event: LiveEvent) => void): void {
  socket.on("chat:message", (message) => listener({ type: "message", message }));
  socket.on("chat:delta", (delta) => listener({ type: "delta", delta }));
  socket.on("chat:end", (end) => listener({ type: "end", end }));
  socket.on("chat:reasoning", (reasoning) => listener({ type: "reasoning", reasoning }));
  socket.on("room:presence", (presence) => listener({ type: "presence", presence }));
  socket.on("room:updated", (room) => listener({ type: "room", room }));
  socket.on("queue:changed", (change) => {
    queue.apply(change);
    listener({ type: "queue", queue: { roomId: change.roomId, questions: queue.questions, count: queue.count } });
  });
  socket.on("room:resync", () => listener({ type: "resync" }));
}

/** `socket.timeout(ms)` breaks the typed ack's arity; this is the shape actually returned. */
interface TimedEmitter {
  emitWithAck(event: string, payload: unknown): Promise<unknown>;
}

type Answer<R> = ({ ok: true } & R) | { ok: false; error: ErrorPayload };

async function request<R>(socket: LoopbackSocket, event: string, payload: unknown, timeoutMs: number): Promise<R> {
  let answer: Answer<R>;
  try {
    answer = (await (socket.timeout(timeoutMs) as unknown as TimedEmitter).emitWithAck(event, payload)) as Answer<R>;
  } catch (error) {
    // socket.io rejects when the connection dropped (this node is closing) or no ack came in
    // time (most likely the store is not answering).
    if (!socket.connected) throw new AppError("server_shutdown", "This node closed the connection; try again.", { cause: error });
    throw new AppError("store_unavailable", `The room did not answer ${event} in time.`, { cause: error });
  }
  if (!answer.ok) throw new AppError(answer.error.code, answer.error.message, retryOf(answer.error));
  return answer;
}

/** Keeps the wait a refusal asks for (`rate_limited`): the SSE consumer is told it too. */
function retryOf(error: ErrorPayload): { retryAfter?: number } {
  return error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter };
}
