/**
 * One contract suite per port, each run against the memory and the Redis implementation (one
 * private redis-server for the file; each Redis instance gets its own key prefix). What only one
 * implementation has (leases, heartbeats, TTLs) is tested next to it in src/store.
 */
import type { Logger } from "../../src/core/ports.ts";
import { actionBudget } from "../../src/realtime/action-budget.ts";
import { memoryLimiters } from "../../src/store/limiters.ts";
import { MemoryDirectory } from "../../src/store/memory-directory.ts";
import { MemoryLocks } from "../../src/store/memory-locks.ts";
import { MemoryQueue } from "../../src/store/memory-queue.ts";
import { MemoryRooms } from "../../src/store/memory-rooms.ts";
import { MemorySlots } from "../../src/store/memory-slots.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { RedisDirectory } from "../../src/store/redis-directory.ts";
import { usePrivateRedis } from "../../src/store/redis-fixture.ts";
import { redisLimiters } from "../../src/store/redis-limiters.ts";
import { RedisLocks } from "../../src/store/redis-locks.ts";
import { RedisQueue } from "../../src/store/redis-queue.ts";
import { RedisRooms } from "../../src/store/redis-rooms.ts";
import { RedisSlots } from "../../src/store/redis-slots.ts";
import { RedisStore } from "../../src/store/redis-store.ts";
import { BUDGET_PER_WINDOW, BUDGET_WINDOW_SECONDS, budgetContract } from "./budget-contract.ts";
import { countersContract } from "./counters-contract.ts";
import { directoryContract } from "./directory-contract.ts";
import { limitersContract } from "./limiters-contract.ts";
import { locksContract } from "./locks-contract.ts";
import { queueContract } from "./queue-contract.ts";
import { RECORD_TTL_MS, recordLifetimeContract } from "./record-lifetime-contract.ts";
import { recordsContract } from "./records-contract.ts";
import { elapseRedis } from "./redis-elapse.ts";
import { slotsContract } from "./slots-contract.ts";
import { storeContract } from "./store-contract.ts";

const redis = usePrivateRedis();
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
let counter = 0;
const prefix = (what: string) => `${what}${++counter}:`;

storeContract("memory", async (historyLimit) => {
  const store = new MemoryStore({ historyLimit, idleTtlMs: 60_000 });
  return { store, cleanup: async () => store.close() };
});
storeContract("redis", async (historyLimit) => {
  const store = new RedisStore(redis.client, { prefix: prefix("store"), historyLimit, ttlMs: 60_000 });
  return { store, cleanup: async () => undefined };
});

locksContract("memory", () => new MemoryLocks());
locksContract(
  "redis",
  () => new RedisLocks(redis.client, { prefix: prefix("locks"), leaseMs: 5000, registryTtlMs: 60_000 }),
);

directoryContract("memory", () => new MemoryDirectory());
directoryContract(
  "redis",
  () => new RedisDirectory(redis.client, { prefix: prefix("dir"), nodeId: "node-a", deadAfterMs: 5000, ttlMs: 60_000 }),
);

slotsContract("memory", (max) => new MemorySlots(max));
slotsContract(
  "redis",
  (max) => new RedisSlots(redis.client, { prefix: prefix("slots"), max, leaseMs: 2000, logger: quiet, pollMs: 20 }),
);

const budget = { perWindow: BUDGET_PER_WINDOW, windowSeconds: BUDGET_WINDOW_SECONDS, name: "answers" as const };
budgetContract("memory", () => actionBudget(budget, quiet, memoryLimiters())!);
budgetContract("redis", () => actionBudget(budget, quiet, redisLimiters(redis.client, prefix("budget")))!);

countersContract("memory", () => memoryLimiters().counters(3600));
countersContract("redis", () => redisLimiters(redis.client, prefix("counters")).counters(3600));

limitersContract("memory", () => memoryLimiters());
limitersContract("redis", () => redisLimiters(redis.client, prefix("limiters")));

recordsContract("memory", () => new MemoryRooms({ idleTtlMs: 60_000 }));
recordsContract("redis", () => new RedisRooms(redis.client, { prefix: prefix("records"), ttlMs: 60_000 }));

queueContract("memory", () => new MemoryQueue());
queueContract("redis", () => new RedisQueue(redis.client, { prefix: prefix("queue"), ttlMs: 60_000 }));

recordLifetimeContract("memory", () => {
  let now = 0;
  const store = new MemoryStore({ historyLimit: 10, idleTtlMs: RECORD_TTL_MS, now: () => now });
  const rooms = new MemoryRooms({ idleTtlMs: RECORD_TTL_MS, writtenAt: (id) => store.writtenAt(id), now: () => now });
  return { rooms, store, elapse: async (ms) => void (now += ms) };
});
recordLifetimeContract("redis", () => {
  const options = { prefix: prefix("lifetime"), ttlMs: RECORD_TTL_MS };
  const store = new RedisStore(redis.client, { ...options, historyLimit: 10 });
  const rooms = new RedisRooms(redis.client, options);
  return { rooms, store, elapse: (ms) => elapseRedis(redis.client, options.prefix, ms) };
});
