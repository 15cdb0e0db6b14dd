/**
 * The Limiters port: makes the budgets the edge spends per client IP (and the quotas' token
 * counters) on rate-limiter-flexible. memoryLimiters keeps them per node; redisLimiters
 * (redis-limiters.ts) shares them by every node. One contract suite: limiters.test.ts.
 */
import { RateLimiterMemory, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { TokenCounters } from "../core/ports.ts";
import type { LimiterName } from "./redis-keys.ts";
import { WindowCounters, windowCounting } from "./token-counters.ts";

export type { LimiterName };

/** `points` per `duration` seconds. */
export interface LimiterBudget {
  points: number;
  duration: number;
}

export interface Limiters {
  /** A budget named `name` (names keep budgets apart where they share a store). */
  limiter(name: LimiterName, budget: LimiterBudget): RateLimiterAbstract;
  /** Token counters over a fixed window of `windowSeconds` (quotas). */
  counters(windowSeconds: number): TokenCounters;
}

/** Every budget and counter in this process: each node limits on its own. */
export function memoryLimiters(): Limiters {
  return {
    limiter: (_name, budget) => new RateLimiterMemory(budget),
    counters: (windowSeconds) => new WindowCounters(new RateLimiterMemory(windowCounting(windowSeconds))),
  };
}
