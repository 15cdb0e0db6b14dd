/**
 * The backend factory: every part kept in a store, in memory on a single node (no REDIS_URL) or
 * in Redis shared by every node. The rest of the server receives these parts and never sees a
 * Redis client.
 */
import type { Config } from "../config.ts";
import type {
  AnswerLocks,
  Limiters,
  Logger,
  MemberDirectory,
  QuestionQueue,
  RoomRecords,
  RoomStore,
  UpstreamSlots,
} from "../core/ports.ts";
import type { VoterSecret } from "../core/voter-ids.ts";
import { memoryLimiters } from "./limiters.ts";
import { MemoryDirectory } from "./memory-directory.ts";
import { MemoryLocks } from "./memory-locks.ts";
import { MemoryQueue } from "./memory-queue.ts";
import { MemoryRooms } from "./memory-rooms.ts";
import { MemorySlots } from "./memory-slots.ts";
import { MemoryStore } from "./memory-store.ts";
import { connectRedis, type RedisConnections } from "./redis-connection.ts";
import { RedisDirectory } from "./redis-directory.ts";
import { redisLimiters } from "./redis-limiters.ts";
import { RedisLocks } from "./redis-locks.ts";
import { RedisQueue } from "./redis-queue.ts";
import { RedisRooms } from "./redis-rooms.ts";
import { RedisSlots } from "./redis-slots.ts";
import { RedisStore } from "./redis-store.ts";
import { redisVoterSecret } from "./redis-voter-secret.ts";

export interface Backend {
  store: RoomStore;
  records: RoomRecords;
  queue: QuestionQueue;
  slots: UpstreamSlots;
  locks: AnswerLocks;
  directory: MemberDirectory;
  /** Per-IP budgets and the quotas' token counters. */
  limiters: Limiters;
  /** The secret voter ids are signed with when TOKEN_SECRET is not set, shared by every node (Redis). */
  voterSecret?: VoterSecret;
  /** The Socket.IO adapter joining this node to others (Redis); none on a single node. */
  adapter?: RedisConnections["adapter"];
  /** Registers a callback for when the shared store comes back after an outage (Redis). */
  onStoreReconnect?: (listener: () => void) => void;
  /** Named readiness checks for /readyz (e.g. redis). */
  readiness: () => Record<string, boolean>;
  close: () => Promise<void>;
}

/** Redis with REDIS_URL, else memory. `onRedisError` hears each Redis error by role (metrics). */
export function createBackend(config: Config, logger: Logger, onRedisError?: (role: string) => void): Backend {
  return config.redis.url ? redisBackend(config, config.redis.url, logger, onRedisError) : memoryBackend(config);
}

export function memoryBackend(config: Config): Backend {
  const { historyLimit, idleTtlMs } = config.rooms;
  const store = new MemoryStore({ historyLimit, idleTtlMs });
  return {
    store,
    records: new MemoryRooms({ idleTtlMs, writtenAt: (roomId) => store.writtenAt(roomId) }),
    queue: new MemoryQueue(),
    slots: new MemorySlots(config.llm.maxConcurrent),
    locks: new MemoryLocks(),
    directory: new MemoryDirectory(),
    limiters: memoryLimiters(),
    readiness: () => ({}),
    close: async () => store.close(),
  };
}

export function redisBackend(
  config: Config,
  url: string,
  logger: Logger,
  onRedisError?: (role: string) => void,
): Backend {
  const { historyLimit, idleTtlMs: ttlMs } = config.rooms;
  const { prefix, leaseMs, commandTimeoutMs } = config.redis;
  const redis = connectRedis(url, { keyPrefix: prefix, commandTimeoutMs }, logger, onRedisError);
  const { command, connectedForMs } = redis;
  return {
    store: new RedisStore(command, { prefix, historyLimit, ttlMs }),
    records: new RedisRooms(command, { prefix, ttlMs }),
    queue: new RedisQueue(command, { prefix, ttlMs }),
    slots: new RedisSlots(command, { prefix, max: config.llm.maxConcurrent, leaseMs, logger }),
    locks: new RedisLocks(command, { prefix, leaseMs, registryTtlMs: ttlMs, connectedForMs }),
    directory: new RedisDirectory(command, {
      prefix,
      nodeId: config.nodeId,
      deadAfterMs: leaseMs,
      ttlMs,
      connectedForMs,
    }),
    limiters: redisLimiters(command, prefix),
    voterSecret: redisVoterSecret(command, prefix),
    adapter: redis.adapter,
    onStoreReconnect: redis.onReconnect,
    readiness: () => ({ redis: redis.healthy() }),
    close: () => redis.close(),
  };
}
