/**
 * HTTP request limits per client IP: a general budget for every request the /api router takes
 * (RATE_HTTP_PER_IP per second over RATE_WINDOW_SECONDS) and a stricter one that the room
 * creation route runs first (ROOMS_PER_IP_PER_HOUR), and one for join code lookups
 * (JOIN_CODE_LOOKUPS_PER_IP_PER_MINUTE, so codes cannot be guessed by trying), all shared by every node in Redis mode.
 * They are middleware of the routers that serve the routes, not path tests: whatever spelling
 * reaches a route has passed them (http/routes.ts). Over a budget: 429 with `Retry-After` and
 * `rate_limited`. A limiter store failure lets the request through (logged): limits must not take
 * the service down.
 */
import type { Request, RequestHandler, Response } from "express";
import type { Limiters, Logger } from "../core/ports.ts";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import { consume } from "../realtime/rate-limits.ts";

export interface RequestLimitSettings {
  /** Requests per second one client IP may make to /api/* (averaged over `windowSeconds`). */
  perIp: number;
  windowSeconds: number;
  /** Rooms one client IP may create per hour. */
  roomsPerHour: number;
  /** Join codes one client IP may look up per minute (guessing codes is slow). */
  joinCodesPerMinute: number;
}

const HOUR_SECONDS = 3600;
const MINUTE_SECONDS = 60;

export interface RequestLimits {
  /** Every request the /api router takes (preflights excepted: CORS answers them first). */
  requests: RequestHandler;
  /** Run by the room creation route itself, after `requests`. */
  roomCreations: RequestHandler;
  /** Run by the join code route itself, after `requests`. */
  joinCodeLookups: RequestHandler;
}

export function requestLimits(
  settings: RequestLimitSettings,
  clientIp: (req: Request) => string,
  logger: Logger,
  limiters: Limiters,
): RequestLimits {
  const requests = limiters.limiter("http", {
    points: settings.perIp * settings.windowSeconds,
    duration: settings.windowSeconds,
  });
  const creations = limiters.limiter("rooms", { points: settings.roomsPerHour, duration: HOUR_SECONDS });
  const lookups = limiters.limiter("join-codes", { points: settings.joinCodesPerMinute, duration: MINUTE_SECONDS });
  return {
    requests: budgetGate(requests, (wait) => `Too many requests; wait ${wait} s.`, clientIp, logger),
    roomCreations: budgetGate(
      creations,
      (wait) => `Too many rooms created from your address; wait ${wait} s.`,
      clientIp,
      logger,
    ),
    joinCodeLookups: budgetGate(
      lookups,
      (wait) => `Too many join codes tried from your address; wait ${wait} s and check the code on the screen.`,
      clientIp,
      logger,
    ),
  };
}

/** Middleware spending one point of `limiter` per request; over budget: 429 with `message`. */
function budgetGate(
  limiter: RateLimiterAbstract,
  message: (retryAfter: number) => string,
  clientIp: (req: Request) => string,
  logger: Logger,
): RequestHandler {
  return (req, res, next) => {
    void consume(limiter, clientIp(req), logger).then((waitMs) => {
      if (waitMs === undefined) return next();
      refuse(res, waitMs, message);
    });
  };
}

function refuse(res: Response, waitMs: number, describe: (retryAfter: number) => string): void {
  const retryAfter = Math.ceil(waitMs / 1000);
  const message = describe(retryAfter);
  res.setHeader("Retry-After", String(retryAfter));
  res.status(429).json({ ok: false, error: { code: "rate_limited", message, retryAfter } });
}
