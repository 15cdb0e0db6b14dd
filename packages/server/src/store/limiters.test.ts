import { RateLimiterRes } from "rate-limiter-flexible";
import { describe, expect, it } from "vitest";
import { memoryLimiters, type Limiters } from "./limiters.ts";
import { usePrivateRedis } from "./redis-fixture.ts";
import { redisLimiters } from "./redis-limiters.ts";

const redis = usePrivateRedis();
let counter = 0;
const IP = "198.51.100.7";

/** The Limiters contract, run against both implementations. */
describe.each([
  ["memory", () => memoryLimiters()],
  ["redis", () => redisLimiters(redis.client, `limits${++counter}:`)],
] as Array<[string, () => Limiters]>)("Limiters (%s)", (_kind, make) => {
  it("a budget refuses past its points, with the ms until its window ends; another key has its own", async () => {
    const limiter = make().limiter("ip", { points: 2, duration: 60 });
    await limiter.consume(IP);
    await limiter.consume(IP);
    const refusal = await limiter.consume(IP).catch((outcome: unknown) => outcome);
    expect(refusal).toBeInstanceOf(RateLimiterRes);
    expect((refusal as RateLimiterRes).msBeforeNext).toBeGreaterThan(50_000);
    await expect(limiter.consume("198.51.100.8")).resolves.toBeInstanceOf(RateLimiterRes);
  });

  it("token counters add up per key and start at 0", async () => {
    const counters = make().counters(60);
    expect(await counters.used("room:a")).toBe(0);
    await counters.add("room:a", 30);
    await counters.add("room:a", 12);
    expect(await counters.used("room:a")).toBe(42);
    expect(await counters.used("room:b")).toBe(0);
  });
});

describe("redisLimiters", () => {
  it("every node spends one budget per name, under the pinned key names", async () => {
    const prefix = `shared${++counter}:`;
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
