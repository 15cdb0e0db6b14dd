import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { TokenCounters } from "../core/ports.ts";

/**
 * Token counters over a fixed window, kept by a rate-limiter-flexible limiter (its keys expire
 * with the window): in memory on one node, in Redis shared by every node (see limiters.ts).
 */
export class WindowCounters implements TokenCounters {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async used(key: string): Promise<number> {
    return (await this.limiter.get(key))?.consumedPoints ?? 0;
  }

  async add(key: string, tokens: number): Promise<void> {
    await this.limiter.penalty(key, tokens);
  }
}

/** Points are never refused by a counting limiter: the quota decides; the limiter only counts. */
export function windowCounting(windowSeconds: number): { points: number; duration: number } {
  return { points: Number.MAX_SAFE_INTEGER, duration: windowSeconds };
}
