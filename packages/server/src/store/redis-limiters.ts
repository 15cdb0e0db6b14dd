/**
 * Limiters (limiters.ts) in Redis: every node spends the same budgets and counts the same tokens.
 * While Redis is unreachable, each node limits on its own (an in-memory insurance limiter).
 */
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import type { Limiters } from "../core/ports.ts";
import { limiterKeyPrefix, quotaKeyPrefix } from "./redis-keys.ts";
import { WindowCounters, windowCounting } from "./token-counters.ts";

export function redisLimiters(client: Redis, prefix: string): Limiters {
  return {
    limiter: (name, budget) =>
      new RateLimiterRedis({
        ...budget,
        storeClient: client,
        keyPrefix: limiterKeyPrefix(prefix, name),
        insuranceLimiter: new RateLimiterMemory(budget),
      }),
    counters: (windowSeconds) =>
      new WindowCounters(
        new RateLimiterRedis({
          ...windowCounting(windowSeconds),
          storeClient: client,
          keyPrefix: quotaKeyPrefix(prefix),
        }),
      ),
  };
}
