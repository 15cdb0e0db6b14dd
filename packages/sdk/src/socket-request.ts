/**
 * Typed request/ack over the room socket: every client→server event of the contract answers
 * `{ ok: true, ...result }` or `{ ok: false, error }`; this turns the latter (and a missing
 * answer) into a `RequestError`.
 */
import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ErrorCode, ErrorPayload, ServerToClientEvents } from "@tokencast/protocol";

export type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type EventName = keyof ClientToServerEvents;
type PayloadOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[0];
type AckOf<E extends EventName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
export type ResultOf<E extends EventName> = Extract<AckOf<E>, { ok: true }>;

/** A request the server refused (`ok: false`), or one that got no answer in time. */
export class RequestError extends Error {
  readonly code: ErrorCode;
  readonly payload: ErrorPayload;
  /** True when the failure was decided here (timeout, not connected), not answered by the server. */
  readonly clientSide: boolean;

  constructor(payload: ErrorPayload, clientSide = false) {
    super(payload.message);
    this.name = "RequestError";
    this.code = payload.code;
    this.payload = payload;
    this.clientSide = clientSide;
  }
}

/** `socket.timeout(ms)` breaks the typed ack's arity; this is the shape actually returned. */
interface TimedEmitter {
  emitWithAck(event: string, payload: unknown): Promise<unknown>;
}

/** Emits `event` with `payload` and waits up to `timeoutMs` for the ack. Throws `RequestError`. */
export async function request<E extends EventName>(
  socket: RoomSocket,
  event: E,
  payload: PayloadOf<E>,
  timeoutMs: number,
): Promise<ResultOf<E>> {
  let ack: unknown;
  try {
    ack = await (socket.timeout(timeoutMs) as unknown as TimedEmitter).emitWithAck(event, payload);
  } catch {
    // socket.io rejects only on timeout; the request is reported as a client-side failure.
    throw new RequestError({ code: "internal_error", message: `No answer from the server to ${event} in time.` }, true);
  }
  return unwrap<E>(event, ack);
}

function unwrap<E extends EventName>(event: E, ack: unknown): ResultOf<E> {
  if (typeof ack !== "object" || ack === null || !("ok" in ack)) {
    throw new RequestError({ code: "internal_error", message: `Malformed answer to ${event}.` }, true);
  }
  const answer = ack as AckOf<E>;
  if (!answer.ok) throw new RequestError(answer.error);
  return answer as ResultOf<E>;
}

/** Any thrown value as a RequestError (unexpected ones become `internal_error`). */
export function toRequestError(error: unknown): RequestError {
  if (error instanceof RequestError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RequestError({ code: "internal_error", message }, true);
}
