/**
 * The memory Limiters (core/ports.ts): every budget and token counter on rate-limiter-flexible in
 * this process. redisLimiters (redis-limiters.ts) shares them by every node.
 */
import { RateLimiterMemory } from "rate-limiter-flexible";
import type { Limiters } from "../core/ports.ts";
import { WindowCounters, windowCounting } from "./token-counters.ts";

/** Every budget and counter in this process: each node limits on its own. */
export function memoryLimiters(): Limiters {
  return {
    limiter: (_name, budget) => new RateLimiterMemory(budget),
    counters: (windowSeconds) => new WindowCounters(new RateLimiterMemory(windowCounting(windowSeconds))),
  };
}
