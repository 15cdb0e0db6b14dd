import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startRedis, type RedisProcess } from "../../../../tests/helpers/redis.ts";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import type { AnswerLocks } from "../core/ports.ts";
import { MemoryLocks } from "./memory-locks.ts";
import { RedisLocks } from "./redis-locks.ts";

let redis: RedisProcess;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  await client?.quit();
  await redis?.close();
});

const implementations: Array<[string, () => AnswerLocks]> = [
  ["memory", () => new MemoryLocks()],
  ["redis", () => new RedisLocks(client, { prefix: `locks${Math.random()}:`, leaseMs: 5000 })],
];

describe.each(implementations)("AnswerLocks: %s", (_name, make) => {
  it("one answer holds a room; only it renews or releases; rooms are independent", async () => {
    const locks = make();
    expect(await locks.acquire("r", "a1")).toBe(true);
    expect(await locks.acquire("r", "a2")).toBe(false);
    expect(await locks.acquire("other", "b1")).toBe(true);
    expect(await locks.renew("r", "a1")).toBe(true);
    expect(await locks.renew("r", "a2")).toBe(false);
    await locks.release("r", "a2");
    expect(await locks.acquire("r", "a3")).toBe(false);
    await locks.release("r", "a1");
    expect(await locks.acquire("r", "a3")).toBe(true);
  });
});

it("a Redis lease that is not renewed lapses, freeing the room (a dead owner cannot hold it)", async () => {
  const locks = new RedisLocks(client, { prefix: "lease:", leaseMs: 300 });
  expect(await locks.acquire("r", "dead-owner")).toBe(true);
  await waitFor(async () => locks.acquire("r", "next"), { timeoutMs: 3000, what: "the lease to lapse" });
  expect(await locks.renew("r", "dead-owner")).toBe(false);
});
