/**
 * What only one implementation of RoomRecords and QuestionQueue has: Redis keys that expire, and
 * MemoryRooms' idle TTL. The contract both keep: test-kit/contracts (records, queue, record lifetime).
 */
import { describe, expect, it } from "vitest";
import { queuedQuestion } from "../../test-kit/contracts/queue-contract.ts";
import { roomRecord } from "../../test-kit/contracts/records-contract.ts";
import { MemoryRooms } from "./memory-rooms.ts";
import { usePrivateRedis } from "./redis-fixture.ts";
import { RedisQueue } from "./redis-queue.ts";
import { RedisRooms } from "./redis-rooms.ts";

const redis = usePrivateRedis();

describe("Redis rooms and queue keys", () => {
  it("every key has a TTL", async () => {
    const prefix = "rqttl:";
    const rooms = new RedisRooms(redis.client, { prefix, ttlMs: 60_000 });
    const queue = new RedisQueue(redis.client, { prefix, ttlMs: 60_000 });
    await rooms.create(roomRecord("t"));
    await rooms.claimJoinCode("t", "TTL234");
    await queue.submit(queuedQuestion("a", 1, "t"), 10, "asker");
    await queue.vote("t", "a", "v");
    await queue.submit(queuedQuestion("b", 2, "t"), 10, "asker");
    await queue.vote("t", "b", "v");
    await queue.unvote("t", "b", "v");
    await queue.edit("t", "b", "asker", "edited");
    const keys = await redis.client.keys(`${prefix}*`);
    // record, join code both ways, the queue's four, one voter set (the other emptied by the un-vote)
    expect(keys.length).toBe(8);
    for (const key of keys) expect(await redis.client.pttl(key), key).toBeGreaterThan(0);
  });
});

describe("MemoryRooms", () => {
  it("forgets a room idle past the TTL, unless touched", async () => {
    let now = 0;
    const rooms = new MemoryRooms({ idleTtlMs: 100, now: () => now });
    await rooms.create(roomRecord("a"));
    await rooms.create(roomRecord("b"));
    now = 90;
    await rooms.touch("a");
    now = 150;
    expect(await rooms.get("a")).toBeDefined();
    expect(await rooms.get("b")).toBeUndefined();
    expect(await rooms.create(roomRecord("b"))).toBe(true);
  });
});
