/**
 * HTTP request limits per client IP for `/api/*`: a general budget (RATE_HTTP_PER_IP per second
 * over RATE_WINDOW_SECONDS) and a stricter one for creating rooms (ROOMS_PER_IP_PER_HOUR), both
 * shared by every node in Redis mode. Over a budget: 429 with `Retry-After` and `rate_limited`.
 * A limiter store failure lets the request through (logged): limits must not take the service down.
 */
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "../core/ports.ts";
import { consume, sharedLimiter, type SharedLimitStore } from "../realtime/rate-limits.ts";

export interface RequestLimitSettings {
  /** Requests per second one client IP may make to /api/* (averaged over `windowSeconds`). */
  perIp: number;
  windowSeconds: number;
  /** Rooms one client IP may create per hour. */
  roomsPerHour: number;
}

const HOUR_SECONDS = 3600;

export function requestLimits(
  settings: RequestLimitSettings,
  clientIp: (req: Request) => string,
  logger: Logger,
  redis?: SharedLimitStore,
): RequestHandler {
  const requests = sharedLimiter({ points: settings.perIp * settings.windowSeconds, duration: settings.windowSeconds }, "rl:http", redis);
  const creations = sharedLimiter({ points: settings.roomsPerHour, duration: HOUR_SECONDS }, "rl:rooms", redis);
  return (req, res, next) => {
    if (!req.path.startsWith("/api/") || req.method === "OPTIONS") return next();
    const ip = clientIp(req);
    const budgets = isRoomCreation(req) ? [requests, creations] : [requests];
    void Promise.all(budgets.map((limiter) => consume(limiter, ip, logger))).then((waits) => {
      const waitMs = Math.max(0, ...waits.filter((wait): wait is number => wait !== undefined));
      if (waitMs === 0) return next();
      refuse(res, waitMs, budgets.length > 1 && waits[1] !== undefined);
    });
  };
}

function isRoomCreation(req: Request): boolean {
  return req.method === "POST" && req.path === "/api/rooms";
}

function refuse(res: Response, waitMs: number, roomCreation: boolean): void {
  const retryAfter = Math.ceil(waitMs / 1000);
  const message = roomCreation
    ? `Too many rooms created from your address; wait ${retryAfter} s.`
    : `Too many requests; wait ${retryAfter} s.`;
  res.setHeader("Retry-After", String(retryAfter));
  res.status(429).json({ ok: false, error: { code: "rate_limited", message, retryAfter } });
}
