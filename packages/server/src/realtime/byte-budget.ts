/**
 * What one client IP may make the node send in `room:join`, `room:history` and `room:members` acks
 * (RATE_BYTES_PER_IP), shared by every node in Redis mode. A reply is reserved at the join
 * history budget BEFORE it is read, so that a flood over the budget costs no reads, and settled
 * to its real size once read. Reads and replies are paced: one per event-loop turn.
 */
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../core/errors.ts";
import type { Limiters, Logger } from "../core/ports.ts";
import { consume } from "./rate-limits.ts";
import { ReplyPacer } from "./reply-pacer.ts";

export interface ByteBudgetSettings {
  /** Bytes per second of acks one client IP may be sent, averaged over `windowSeconds`. */
  perIp: number;
  windowSeconds: number;
  /** What a reply is reserved at before it is read: the join history budget (JOIN_HISTORY_BYTES). */
  replyBytes: number;
}

/** Runs a read whose reply counts against the client IP's byte budget. */
export type Meter = <R extends object>(read: () => Promise<R>) => Promise<R>;

/** No budget: the read just runs. */
export const unmetered: Meter = (read) => read();

export class ByteBudget {
  /** Replies are read and sent one per loop turn, whoever asked (see reply-pacer.ts). */
  private readonly pacer = new ReplyPacer();

  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly reserveBytes: number,
    private readonly logger: Logger,
  ) {}

  /** `read` for `ip`: refused with `rate_limited` (and `retryAfter`) when less than a reply is left. */
  meterFor(ip: string): Meter {
    return (read) => this.metered(ip, read);
  }

  private async metered<R extends object>(ip: string, read: () => Promise<R>): Promise<R> {
    await this.reserve(ip);
    let sent = 0; // a refused read answers with a few bytes of error
    try {
      await this.pacer.turn();
      const reply = await read();
      await this.pacer.turn(); // a store may answer many reads at once (one Redis reply batch)
      sent = replyBytes(reply);
      return reply;
    } finally {
      this.adjust(ip, sent - this.reserveBytes);
    }
  }

  private async reserve(ip: string): Promise<void> {
    const waitMs = await consume(this.limiter, ip, this.logger, this.reserveBytes);
    if (waitMs === undefined) return;
    this.adjust(ip, -this.reserveBytes); // a refusal sends nothing: it must not push the wait further out
    const retryAfter = Math.ceil(waitMs / 1000);
    const message = `This address was sent too much room data; wait ${retryAfter} s.`;
    throw new AppError("rate_limited", message, { retryAfter });
  }

  private adjust(ip: string, bytes: number): void {
    if (bytes === 0) return;
    const change = bytes > 0 ? this.limiter.penalty(ip, bytes) : this.limiter.reward(ip, -bytes);
    change.catch((error: unknown) =>
      this.logger.warn({ err: error }, "could not settle a reply's size; the budget is off by one reply"),
    );
  }
}

/** Bytes of the JSON of frozen message lists: a shared join snapshot is measured once, not per join. */
const frozenListBytes = new WeakMap<readonly unknown[], number>();

/**
 * The bytes of an ack's JSON, as UTF-8 (what Socket.IO writes, give or take the envelope). A
 * frozen `messages` list (a store's shared page) is measured once: the reply with an empty list
 * in its place, plus the list's own JSON, is the same count exactly.
 */
export function replyBytes(reply: object): number {
  const { messages } = reply as { messages?: unknown };
  if (!Array.isArray(messages) || !Object.isFrozen(messages)) return jsonBytes(reply);
  let listBytes = frozenListBytes.get(messages);
  if (listBytes === undefined) frozenListBytes.set(messages, (listBytes = jsonBytes(messages)));
  return jsonBytes({ ...reply, messages: [] }) - "[]".length + listBytes;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

export function createByteBudget(settings: ByteBudgetSettings, logger: Logger, limiters: Limiters): ByteBudget {
  const points = settings.perIp * settings.windowSeconds;
  const limiter = limiters.limiter("bytes", { points, duration: settings.windowSeconds });
  // A budget below one reply would refuse every join: reserve at most the whole budget.
  return new ByteBudget(limiter, Math.min(settings.replyBytes, points), logger);
}
