import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startRedis, type RedisProcess } from "../../../../tests/helpers/redis.ts";
import { RedisStore } from "./redis-store.ts";

let redis: RedisProcess;
let prefixCounter = 0;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.close();
});

describe("RedisStore keys", () => {
  it("every key it writes has a TTL", async () => {
    const client = new Redis(redis.url);
    const prefix = `ttl${++prefixCounter}:`;
    const store = new RedisStore(client, { prefix, historyLimit: 2, ttlMs: 60_000 });
    const base = { roomId: "r", author: "a", createdAt: 1 } as const;
    await store.addMessage({ ...base, id: "q", role: "user", text: "question", seq: 0, status: "done" });
    await store.addMessage({ ...base, id: "a", role: "assistant", text: "", seq: 0, status: "streaming" });
    await store.appendDelta("r", "a", { seq: 1, text: "answer" });
    await store.finishMessage("r", "a", { status: "done" });
    await store.addMessage({ ...base, id: "q2", role: "user", text: "next", seq: 0, status: "done" });
    await store.claimPrompt("r", "prompt", { messageId: "q3", replyId: "a3", claimedAt: 1 });
    const keys = await client.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThanOrEqual(6);
    for (const key of keys) expect(await client.pttl(key), key).toBeGreaterThan(0);
    // The trimmed first message took its keys with it.
    expect(keys.some((k) => k.endsWith(":q"))).toBe(false);
    await client.quit();
  });

  it("a new message renews the TTL of every kept message's text and log (old answers keep their text)", async () => {
    const client = new Redis(redis.url);
    const prefix = `renew${++prefixCounter}:`;
    const short = new RedisStore(client, { prefix, historyLimit: 10, ttlMs: 5_000 });
    const base = { roomId: "r", author: "a", createdAt: 1 } as const;
    await short.addMessage({ ...base, id: "old", role: "assistant", text: "", seq: 0, status: "streaming" });
    await short.appendDelta("r", "old", { seq: 1, text: "kept" });
    const long = new RedisStore(client, { prefix, historyLimit: 10, ttlMs: 600_000 });
    await long.addMessage({ ...base, id: "new", role: "user", text: "later", seq: 0, status: "done" });
    for (const key of await client.keys(`${prefix}*`)) expect(await client.pttl(key), key).toBeGreaterThan(10_000);
    await client.quit();
  });

  it("a page reads the texts of its own messages only, not the whole history's", async () => {
    const client = new Redis(redis.url);
    const store = new RedisStore(client, { prefix: `page${++prefixCounter}:`, historyLimit: 100, ttlMs: 60_000 });
    const base = { roomId: "r", role: "user", author: "a", seq: 0, status: "done", createdAt: 1 } as const;
    for (let i = 0; i < 40; i++) await store.addMessage({ ...base, id: `m${i}`, text: "x".repeat(1000) });
    const textReads = async () => Number(/cmdstat_get:calls=(\d+)/.exec(await client.info("commandstats"))?.[1] ?? 0);
    const before = await textReads();
    const page = await store.pageMessages("r", { maxMessages: 50, maxBytes: 3500 });
    expect(page?.messages.map((m) => m.id)).toEqual(["m37", "m38", "m39"]);
    expect((await textReads()) - before).toBe(3);
    await client.quit();
  });
});
