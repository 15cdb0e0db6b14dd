/**
 * A bare Socket.IO client (engine.io v4 over one WebSocket, default namespace) for the abuse
 * bench's attacker: it counts every byte the node sends it and reads acknowledgements without
 * decoding big ones, so that the attacker's own CPU stays small beside the node's. Acks are read
 * generically: `{ ok, error: { code, retryAfter } }`, whatever the event; no ack within the
 * timeout counts as `no_ack`.
 *
 * Frames: server "0{…}" open, "2" ping (we answer "3"); client "40" connect, server "40{…}"
 * connected (or "44{…}" refused); "42<id>[event, payload]" an event with ack id, "43<id>[reply]"
 * the ack, "42[event, payload]" a broadcast.
 */
import WebSocket from "ws";

/** Acks up to this size are parsed whole (unless the call says otherwise); bigger ones only have their head read. */
const PARSE_LIMIT_BYTES = 1024 * 1024;
const HEAD_BYTES = 256;

export interface AckResult {
  ok: boolean;
  /** The error code of a refusal; `no_ack` when nothing came back in time; `closed` when the connection went. */
  code?: string;
  retryAfterS?: number;
  /** The parsed reply (only for acks up to PARSE_LIMIT_BYTES). */
  body?: Record<string, unknown>;
  bytes: number;
}

export interface ByteCounter {
  bytes: number;
  frames: number;
  largest: number;
}

export function byteCounter(): ByteCounter {
  return { bytes: 0, frames: 0, largest: 0 };
}

interface Pending {
  resolve(result: AckResult): void;
  timer: NodeJS.Timeout;
  parseLimitBytes: number;
}

export class RawSocket {
  private readonly ws: WebSocket;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  readonly connected: Promise<boolean>;
  closed = false;

  constructor(
    url: string,
    headers: Record<string, string>,
    private readonly counter: ByteCounter,
    private readonly ackTimeoutMs: number,
  ) {
    const wsUrl = `${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    this.ws = new WebSocket(wsUrl, { headers, perMessageDeflate: false });
    this.connected = new Promise((resolve) => {
      this.ws.on("message", (data: Buffer) => this.receive(data, resolve));
      this.ws.on("close", () => this.onClose(resolve));
      this.ws.on("error", () => this.onClose(resolve));
    });
  }

  /**
   * Sends an event with an ack and resolves with the ack's outcome (never rejects). An ack over
   * `parseLimitBytes` is not parsed (no `body`).
   */
  emit(event: string, payload: unknown, parseLimitBytes = PARSE_LIMIT_BYTES): Promise<AckResult> {
    if (this.closed) return Promise.resolve({ ok: false, code: "closed", bytes: 0 });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(id, { ok: false, code: "no_ack", bytes: 0 }), this.ackTimeoutMs);
      this.pending.set(id, { resolve, timer, parseLimitBytes });
      this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private receive(data: Buffer, connected: (ok: boolean) => void): void {
    this.count(data.length);
    const type = String.fromCharCode(data[0] ?? 0);
    if (type === "0") this.ws.send("40");
    else if (type === "2") this.ws.send("3");
    else if (type === "4") this.onPacket(data, connected);
  }

  private onPacket(data: Buffer, connected: (ok: boolean) => void): void {
    const kind = String.fromCharCode(data[1] ?? 0);
    if (kind === "0") connected(true);
    else if (kind === "4") connected(false);
    else if (kind === "3") this.onAck(data);
  }

  private onAck(data: Buffer): void {
    const head = data.subarray(0, Math.min(data.length, HEAD_BYTES)).toString();
    const match = /^43(\d+)/.exec(head);
    if (!match) return;
    const id = Number(match[1]);
    const parseLimit = this.pending.get(id)?.parseLimitBytes ?? PARSE_LIMIT_BYTES;
    const json = data.length <= parseLimit ? data.subarray(match[0].length).toString() : undefined;
    this.settle(id, readAck(head, json, data.length));
  }

  private settle(id: number, result: AckResult): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    pending.resolve(result);
  }

  private onClose(connected: (ok: boolean) => void): void {
    this.closed = true;
    connected(false);
    for (const id of [...this.pending.keys()]) this.settle(id, { ok: false, code: "closed", bytes: 0 });
  }

  private count(bytes: number): void {
    this.counter.bytes += bytes;
    this.counter.frames += 1;
    this.counter.largest = Math.max(this.counter.largest, bytes);
  }
}

/** The outcome of an ack from its parsed body when small, else from the head of its text. */
export function readAck(head: string, json: string | undefined, bytes: number): AckResult {
  if (json !== undefined) return fromBody((JSON.parse(json) as unknown[])[0], bytes);
  const ok = /"ok":true/.test(head);
  const code = /"code":"(\w+)"/.exec(head)?.[1];
  return ok ? { ok, bytes } : { ok, code: code ?? "unreadable", bytes };
}

function fromBody(reply: unknown, bytes: number): AckResult {
  const body = (typeof reply === "object" && reply !== null ? reply : {}) as Record<string, unknown>;
  if (body.ok === true) return { ok: true, body, bytes };
  const error = (body.error ?? {}) as { code?: unknown; retryAfter?: unknown };
  const code = typeof error.code === "string" ? error.code : "unreadable";
  const retryAfterS = typeof error.retryAfter === "number" ? error.retryAfter : undefined;
  return { ok: false, code, bytes, body, ...(retryAfterS !== undefined ? { retryAfterS } : {}) };
}
