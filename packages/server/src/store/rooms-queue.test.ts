import { describe, expect, it } from "vitest";
import { defaultSettings, type QueuedQuestion } from "@tokencast/protocol";
import type { QuestionQueue, RoomRecord, RoomRecords, RoomStore } from "../core/ports.ts";
import { MemoryQueue } from "./memory-queue.ts";
import { MemoryRooms } from "./memory-rooms.ts";
import { MemoryStore } from "./memory-store.ts";
import { usePrivateRedis } from "./redis-fixture.ts";
import { RedisQueue } from "./redis-queue.ts";
import { RedisRooms } from "./redis-rooms.ts";
import { RedisStore } from "./redis-store.ts";

const redis = usePrivateRedis();
let counter = 0;

const record = (id: string): RoomRecord => ({
  id,
  settings: defaultSettings("presentation", "Talk"),
  ownerKeyHash: "o".repeat(64),
  presenterKeyHash: "p".repeat(64),
  createdAt: 1,
});

const question = (id: string, createdAt: number, roomId = "r"): QueuedQuestion => ({
  id,
  roomId,
  text: `q ${id}`,
  author: "Ada",
  createdAt,
  votes: 0,
  rev: 0,
});
const withoutRev = ({ rev: _rev, ...rest }: QueuedQuestion) => rest;

const backends: Array<[string, () => { rooms: RoomRecords; queue: QuestionQueue }]> = [
  ["memory", () => ({ rooms: new MemoryRooms({ idleTtlMs: 60_000 }), queue: new MemoryQueue() })],
  [
    "redis",
    () => {
      const prefix = `rq${++counter}:`;
      return {
        rooms: new RedisRooms(redis.client, { prefix, ttlMs: 60_000 }),
        queue: new RedisQueue(redis.client, { prefix, ttlMs: 60_000 }),
      };
    },
  ],
];

describe.each(backends)("RoomRecords and QuestionQueue: %s", (_name, make) => {
  it("creates a room once, reads it, replaces its settings", async () => {
    const { rooms } = make();
    expect(await rooms.create(record("talk"))).toBe(true);
    expect(await rooms.create({ ...record("talk"), ownerKeyHash: "x" })).toBe(false);
    expect(await rooms.get("talk")).toEqual(record("talk"));
    expect(await rooms.get("nope")).toBeUndefined();
    const settings = { ...defaultSettings("chat", "Renamed"), model: "m" };
    expect((await rooms.updateSettings("talk", settings))?.settings).toEqual(settings);
    expect((await rooms.get("talk"))?.ownerKeyHash).toBe("o".repeat(64));
    expect(await rooms.updateSettings("nope", settings)).toBeUndefined();
    await rooms.touch("nope"); // no harm
  });

  it("counts invitation epochs per room; a settings write does not undo a withdrawal", async () => {
    const { rooms } = make();
    await rooms.create(record("gen"));
    expect(await rooms.invitationEpoch("gen")).toBe(0);
    expect(await rooms.revokeTokens("gen")).toBe(1);
    await rooms.updateSettings("gen", defaultSettings("chat", "Renamed"));
    expect(await rooms.revokeTokens("gen")).toBe(2);
    expect(await rooms.invitationEpoch("gen")).toBe(2);
    expect(await rooms.invitationEpoch("other")).toBe(0);
  });

  it("queues questions up to a bound, one vote per voter, most votes then oldest first", async () => {
    const { queue } = make();
    for (const [id, at] of [
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ] as const)
      expect(await queue.submit(question(id, at), 3)).toBe(true);
    expect(await queue.submit(question("d", 4), 3)).toBe(false);
    expect(await queue.vote("r", "c", "v1")).toBe(1);
    expect(await queue.vote("r", "c", "v1")).toBe(1);
    expect(await queue.vote("r", "c", "v2")).toBe(2);
    expect(await queue.vote("r", "b", "v1")).toBe(1);
    expect(await queue.vote("r", "missing", "v1")).toBeUndefined();
    const listed = await queue.list("r", 2);
    expect(listed.count).toBe(3);
    expect(listed.questions.map((q) => [q.id, q.votes])).toEqual([["c", 2], ["b", 1]]);
    expect(withoutRev((await queue.take("r", "c"))!)).toEqual(withoutRev({ ...question("c", 3), votes: 2 }));
    expect(await queue.take("r", "c")).toBeUndefined();
    expect(await queue.vote("r", "c", "v3")).toBeUndefined();
    expect((await queue.list("r", 10)).questions.map((q) => q.id)).toEqual(["b", "a"]);
    expect(await queue.submit(question("d", 4), 3)).toBe(true);
    expect(await queue.list("other", 10)).toMatchObject({ questions: [], count: 0 });
  });

  it("versions: every change raises the queue's version; a question's rev is the version of its last change (a counted vote)", async () => {
    const { queue } = make();
    const versions = [(await queue.list("v", 10)).version];
    const step = async (change: () => Promise<unknown>) => {
      await change();
      const listed = await queue.list("v", 10);
      expect(listed.version).toBeGreaterThan(versions.at(-1)!);
      versions.push(listed.version);
      return listed;
    };
    const submitted = await step(() => queue.submit(question("a", 1, "v"), 10));
    expect(submitted.questions[0]!.rev).toBe(submitted.version);
    const voted = await step(() => queue.submit(question("b", 2, "v"), 10).then(() => queue.vote("v", "a", "v1")));
    expect(voted.questions.map((q) => [q.id, q.rev === voted.version])).toEqual([["a", true], ["b", false]]);
    expect(voted.questions[1]!.rev).toBeGreaterThan(submitted.version);
    await queue.vote("v", "a", "v1"); // not counted: nothing changes
    expect((await queue.list("v", 10)).version).toBe(voted.version);
    const taken = await step(() => queue.take("v", "a"));
    expect(taken.questions.map((q) => q.id)).toEqual(["b"]);
  });
});

describe("Redis rooms and queue keys", () => {
  it("every key has a TTL", async () => {
    const prefix = `rqttl${++counter}:`;
    const rooms = new RedisRooms(redis.client, { prefix, ttlMs: 60_000 });
    const queue = new RedisQueue(redis.client, { prefix, ttlMs: 60_000 });
    await rooms.create(record("t"));
    await queue.submit(question("a", 1, "t"), 10);
    await queue.vote("t", "a", "v");
    const keys = await redis.client.keys(`${prefix}*`);
    expect(keys.length).toBe(6);
    for (const key of keys) expect(await redis.client.pttl(key), key).toBeGreaterThan(0);
  });
});

describe("MemoryRooms", () => {
  it("forgets a room idle past the TTL, unless touched", async () => {
    let now = 0;
    const rooms = new MemoryRooms({ idleTtlMs: 100, now: () => now });
    await rooms.create(record("a"));
    await rooms.create(record("b"));
    now = 90;
    await rooms.touch("a");
    now = 150;
    expect(await rooms.get("a")).toBeDefined();
    expect(await rooms.get("b")).toBeUndefined();
    expect(await rooms.create(record("b"))).toBe(true);
  });
});

/** A room's record and its history written together, with a clock that `elapse` moves on. */
interface RoomWithHistory {
  rooms: RoomRecords;
  store: RoomStore;
  elapse(ms: number): Promise<void>;
}

const RECORD_TTL_MS = 60_000;

/**
 * Time passing for Redis keys: every PTTL under `prefix` goes down by `ms` (a key at 0 is gone).
 * Deterministic, unlike waiting.
 */
async function elapseRedis(prefix: string, ms: number): Promise<void> {
  for (const key of await redis.client.keys(`${prefix}*`)) {
    const left = await redis.client.pttl(key);
    if (left > ms) await redis.client.pexpire(key, left - ms);
    else if (left > 0) await redis.client.del(key);
  }
}

const withHistory: Array<[string, () => RoomWithHistory]> = [
  [
    "memory",
    () => {
      let now = 0;
      const store = new MemoryStore({ historyLimit: 10, idleTtlMs: RECORD_TTL_MS, now: () => now });
      const rooms = new MemoryRooms({
        idleTtlMs: RECORD_TTL_MS,
        writtenAt: (id) => store.writtenAt(id),
        now: () => now,
      });
      return { rooms, store, elapse: async (ms) => void (now += ms) };
    },
  ],
  [
    "redis",
    () => {
      const prefix = `rh${++counter}:`;
      const options = { prefix, ttlMs: RECORD_TTL_MS };
      const store = new RedisStore(redis.client, { ...options, historyLimit: 10 });
      return { rooms: new RedisRooms(redis.client, options), store, elapse: (ms) => elapseRedis(prefix, ms) };
    },
  ],
];

describe.each(withHistory)("a room's record lives as long as its history is written: %s", (_name, make) => {
  it("an answer streaming for longer than the TTL keeps the record (and its invitation epoch)", async () => {
    const { rooms, store, elapse } = make();
    await rooms.create(record("live"));
    await rooms.revokeTokens("live");
    const answer = {
      id: "a1",
      roomId: "live",
      role: "assistant" as const,
      author: "m",
      text: "",
      seq: 0,
      status: "streaming" as const,
      createdAt: 0,
    };
    const step = RECORD_TTL_MS * 0.6;
    await elapse(step);
    await store.addMessage(answer);
    for (let seq = 1; seq <= 3; seq++) {
      await elapse(step);
      expect(await store.appendDelta("live", "a1", { seq, text: "x" })).toBe("appended");
    }
    await elapse(step);
    await store.finishMessage("live", "a1", { status: "done" });
    await elapse(step);
    expect((await rooms.get("live"))?.id).toBe("live");
    expect(await rooms.invitationEpoch("live")).toBe(1);
  });
});
