/**
 * Event rate limits at the socket edge: per connection (in memory: a connection lives on one
 * node) and per client IP (in Redis in Redis mode, so an IP's connections on every node share one
 * budget). A store failure lets the event through (logged): limits must not take the service down.
 */
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Ack } from "@tokencast/protocol";
import { AppError } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";
import type { Limiters } from "../core/ports.ts";

export interface RateLimitSettings {
  /** Events one connection may send per second (averaged over `windowSeconds`). */
  perConnection: number;
  /** Events all connections of one IP may send per second (averaged over `windowSeconds`). */
  perIp: number;
  windowSeconds: number;
}

export class EventLimits {
  constructor(
    private readonly connection: RateLimiterAbstract,
    private readonly ip: RateLimiterAbstract,
    private readonly logger: Logger,
  ) {}

  /** Undefined when the event may go ahead; otherwise the ms until it may be retried. */
  async check(connectionId: string, ip: string): Promise<number | undefined> {
    const results = await Promise.all([
      consume(this.connection, connectionId, this.logger),
      consume(this.ip, ip, this.logger),
    ]);
    const waits = results.filter((wait): wait is number => wait !== undefined);
    return waits.length > 0 ? Math.max(...waits) : undefined;
  }

  forget(connectionId: string): void {
    void this.connection.delete(connectionId).catch(() => undefined); // memory store: cannot fail in practice
  }
}

/**
 * Spends `points` (default one) of `key`'s budget: undefined when that was allowed, otherwise the
 * ms until it may be retried. A store failure allows it (logged).
 */
export async function consume(
  limiter: RateLimiterAbstract,
  key: string,
  logger: Logger,
  points = 1,
): Promise<number | undefined> {
  try {
    await limiter.consume(key, points);
    return undefined;
  } catch (outcome) {
    if (outcome instanceof RateLimiterRes) return Math.max(1, outcome.msBeforeNext);
    logger.warn({ err: outcome }, "rate limit store failed; letting the request through");
    return undefined;
  }
}

export function createEventLimits(settings: RateLimitSettings, logger: Logger, limiters: Limiters): EventLimits {
  const { windowSeconds } = settings;
  const connection = new RateLimiterMemory({ points: settings.perConnection * windowSeconds, duration: windowSeconds });
  const ip = limiters.limiter("ip", { points: settings.perIp * windowSeconds, duration: windowSeconds });
  return new EventLimits(connection, ip, logger);
}

/** Who sent an event, as far as the limits care (event-dispatch.ts's Connection). */
interface Sender {
  socket: { id: string };
  ip: string;
}

/** A PacketGate (event-dispatch.ts): true lets the packet through. */
type EventGate = (sender: Sender, packet: unknown[]) => Promise<boolean>;

/**
 * The socket edge's gate: an event over the limits is dropped and, when it has an ack, answered
 * with `rate_limited` and how long to wait.
 */
export function limitEvents(limits: EventLimits): EventGate {
  return async ({ socket, ip }, packet) => {
    const waitMs = await limits.check(socket.id, ip);
    if (waitMs === undefined) return true;
    const ack = packet.at(-1);
    if (typeof ack !== "function") return false;
    const response: Ack<object> = { ok: false, error: tooManyEvents(waitMs).toPayload() };
    (ack as (response: Ack<object>) => void)(response);
    return false;
  };
}

/** The refusal of an event over the limits: `rate_limited`, with how long to wait. */
export function tooManyEvents(waitMs: number): AppError {
  const retryAfter = Math.ceil(waitMs / 1000);
  return new AppError("rate_limited", `Too many requests; wait ${retryAfter} s.`, { retryAfter });
}
