/**
 * The Limiters contract (core/ports.ts): a named budget refuses past its points, telling how long
 * until its window lets one more through, and keeps each key's points apart. Its token counters
 * keep the TokenCounters contract (counters-contract.ts). Run it against every implementation.
 */
import { RateLimiterRes } from "rate-limiter-flexible";
import { describe, expect, it } from "vitest";
import type { Limiters } from "../../src/core/ports.ts";

const IP = "198.51.100.7";

export function limitersContract(name: string, make: () => Limiters): void {
  describe(`Limiters contract: ${name}`, () => {
    it("a budget refuses past its points, with the ms until its window ends; another key has its own", async () => {
      const limiter = make().limiter("ip", { points: 2, duration: 60 });
      await limiter.consume(IP);
      await limiter.consume(IP);
      const refusal = await limiter.consume(IP).catch((outcome: unknown) => outcome);
      expect(refusal).toBeInstanceOf(RateLimiterRes);
      expect((refusal as RateLimiterRes).msBeforeNext).toBeGreaterThan(50_000);
      await expect(limiter.consume("198.51.100.8")).resolves.toBeInstanceOf(RateLimiterRes);
    });
  });
}
