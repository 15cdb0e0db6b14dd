import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { usePrivateRedis } from "./redis-fixture.ts";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { RedisLocks, type RedisLocksOptions } from "./redis-locks.ts";
import { RedisStore } from "./redis-store.ts";

const redis = usePrivateRedis();
let counter = 0;

function redisLocks(options: Partial<RedisLocksOptions> = {}): {
  locks: RedisLocks;
  store: RedisStore;
  prefix: string;
} {
  const prefix = `locks${++counter}:`;
  const locks = new RedisLocks(redis.client, { prefix, leaseMs: 5000, registryTtlMs: 60_000, ...options });
  return { locks, prefix, store: new RedisStore(redis.client, { prefix, historyLimit: 50, ttlMs: 60_000 }) };
}

function answer(roomId: string, id: string): Message {
  return { id, roomId, role: "assistant", author: "model", text: "", seq: 0, status: "streaming", createdAt: 1 };
}

describe("RedisLocks: leases, fencing and orphans", () => {
  it("renews while the answer streams; a lease not renewed lapses, freeing the room, and the answer is an orphan", async () => {
    const { locks, store } = redisLocks({ leaseMs: 400 });
    await store.addMessage(answer("r", "alive"));
    expect(await locks.acquire("r", "alive")).toBe(true);
    expect(await locks.renew("r", "alive")).toBe(true);
    expect(await locks.orphans()).toEqual([]);
    await waitFor(async () => (await locks.orphans()).length === 1, { timeoutMs: 3000, what: "the lease to lapse" });
    expect(await locks.orphans()).toEqual([{ roomId: "r", messageId: "alive" }]);
    await locks.forget({ roomId: "r", messageId: "alive" });
    expect(await locks.orphans()).toEqual([]);
    expect(await locks.acquire("r", "next")).toBe(true);
  });

  it("a lapsed lease nobody took is re-taken by its live owner; once another answer holds the room, the old one is refused", async () => {
    const { locks, store } = redisLocks({ leaseMs: 300 });
    await store.addMessage(answer("r", "slow-owner"));
    expect(await locks.acquire("r", "slow-owner")).toBe(true);
    await waitFor(async () => (await locks.orphans()).length === 1, { timeoutMs: 3000, what: "the lease to lapse" });
    expect(await locks.renew("r", "slow-owner")).toBe(true);
    expect(await locks.orphans()).toEqual([]);
    await locks.release("r", "slow-owner");
    expect(await locks.acquire("r", "newer")).toBe(true);
    expect(await locks.renew("r", "slow-owner")).toBe(false);
  });

  it("renewing an answer that was ended elsewhere fails and gives the room back", async () => {
    const { locks, store } = redisLocks();
    await store.addMessage(answer("r", "ended"));
    expect(await locks.acquire("r", "ended")).toBe(true);
    await store.finishMessage("r", "ended", { status: "interrupted" });
    expect(await locks.renew("r", "ended")).toBe(false);
    expect(await locks.acquire("r", "next")).toBe(true);
  });

  it("looks for orphans only once its connection has been up for a lease (owners re-take theirs first)", async () => {
    let upFor = 0;
    const { locks, store, prefix } = redisLocks({ leaseMs: 300, connectedForMs: () => upFor });
    await store.addMessage(answer("r", "x"));
    await locks.acquire("r", "x");
    await redis.client.del(`${prefix}{r}:answer-lock`); // as if it lapsed during an outage
    expect(await locks.orphans()).toEqual([]);
    upFor = 300;
    expect(await locks.orphans()).toEqual([{ roomId: "r", messageId: "x" }]);
  });

  it("every key it writes has a TTL", async () => {
    const { locks, store, prefix } = redisLocks();
    await store.addMessage(answer("r", "t"));
    await locks.acquire("r", "t");
    const keys = await redis.client.keys(`${prefix}*`);
    expect(keys).toContain(`${prefix}answers`);
    for (const key of keys) expect(await redis.client.pttl(key), key).toBeGreaterThan(0);
  });
});
