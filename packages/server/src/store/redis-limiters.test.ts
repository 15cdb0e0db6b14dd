/**
 * What only redisLimiters has: one budget per name shared by every node, under pinned key names.
 * The contract both implementations keep: test-kit/contracts (limiters, counters).
 */
import { RateLimiterRes } from "rate-limiter-flexible";
import { describe, expect, it } from "vitest";
import { usePrivateRedis } from "./redis-fixture.ts";
import { redisLimiters } from "./redis-limiters.ts";

const redis = usePrivateRedis();
const IP = "198.51.100.7";

describe("redisLimiters", () => {
  it("every node spends one budget per name, under the pinned key names", async () => {
    const prefix = "shared:";
    const [nodeA, nodeB] = [redisLimiters(redis.client, prefix), redisLimiters(redis.client, prefix)];
    await nodeA.limiter("bytes", { points: 2, duration: 60 }).consume(IP);
    await nodeB.limiter("bytes", { points: 2, duration: 60 }).consume(IP);
    await expect(nodeA.limiter("bytes", { points: 2, duration: 60 }).consume(IP)).rejects.toBeInstanceOf(
      RateLimiterRes,
    );
    await expect(nodeA.limiter("http", { points: 2, duration: 60 }).consume(IP)).resolves.toBeInstanceOf(
      RateLimiterRes,
    );
    await nodeB.counters(60).add("room:r", 5);
    expect(await nodeA.counters(60).used("room:r")).toBe(5);
    expect((await redis.client.keys(`${prefix}*`)).sort()).toEqual([
      `${prefix}quota:room:r`,
      `${prefix}rl:bytes:${IP}`,
      `${prefix}rl:http:${IP}`,
    ]);
  });
});
