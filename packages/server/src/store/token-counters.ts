import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { TokenCounters } from "../core/ports.ts";

/**
 * Token counters over a fixed window, kept by rate-limiter-flexible (its keys expire with the
 * window): in memory on one node, in Redis shared by every node.
 */
export class WindowCounters implements TokenCounters {
  private readonly limiter: RateLimiterAbstract;

  constructor(windowSeconds: number, redis?: { client: Redis; prefix: string }) {
    // Points are never refused here: the quota decides; the limiter only counts.
    const options = { points: Number.MAX_SAFE_INTEGER, duration: windowSeconds };
    this.limiter = redis
      ? new RateLimiterRedis({ ...options, storeClient: redis.client, keyPrefix: `${redis.prefix}quota` })
      : new RateLimiterMemory(options);
  }

  async used(key: string): Promise<number> {
    return (await this.limiter.get(key))?.consumedPoints ?? 0;
  }

  async add(key: string, tokens: number): Promise<void> {
    await this.limiter.penalty(key, tokens);
  }
}
