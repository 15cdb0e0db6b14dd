/**
 * Composition root: reads the config, builds the store and the answer source, starts the server,
 * and drains on SIGTERM / SIGINT. Nothing else in the server reads the environment or exits.
 */
import { createApp } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import type { AnswerLocks, Logger, MemberDirectory, QuestionQueue, RoomRecords, RoomStore, UpstreamSlots } from "./core/ports.ts";
import { createLogger } from "./logger.ts";
import { createMetrics, type PromMetrics } from "./observability/metrics.ts";
import { MemoryDirectory } from "./store/memory-directory.ts";
import { MemoryLocks } from "./store/memory-locks.ts";
import { MemoryQueue } from "./store/memory-queue.ts";
import { MemoryRooms } from "./store/memory-rooms.ts";
import { MemorySlots } from "./store/memory-slots.ts";
import { MemoryStore } from "./store/memory-store.ts";
import { connectRedis, type RedisConnections } from "./store/redis-connection.ts";
import { RedisDirectory } from "./store/redis-directory.ts";
import { RedisLocks } from "./store/redis-locks.ts";
import { RedisQueue } from "./store/redis-queue.ts";
import { RedisRooms } from "./store/redis-rooms.ts";
import { RedisSlots } from "./store/redis-slots.ts";
import { RedisStore } from "./store/redis-store.ts";
import { redisVoterSecret } from "./store/redis-voter-secret.ts";
import { createAnswerSource } from "./upstream/index.ts";

async function main(): Promise<void> {
  const config = readConfigOrExit();
  const logger = createLogger(config.logLevel).child({ node: config.nodeId });
  guardProcess(logger);
  const metrics = createMetrics();
  const backend = createBackend(config, logger, metrics);
  const source = createAnswerSource(config.llm);
  const app = createApp({ config, logger, source, metrics, ...backend });
  const address = await app.listen();
  logStartup(logger, config, source.demo, address.port);
  onShutdownSignal(logger, config, async () => {
    await app.close();
    await backend.close();
  });
}

interface Backend {
  store: RoomStore;
  records: RoomRecords;
  queue: QuestionQueue;
  slots: UpstreamSlots;
  locks: AnswerLocks;
  directory: MemberDirectory;
  adapter?: RedisConnections["adapter"];
  rateLimitRedis?: { client: RedisConnections["command"]; prefix: string };
  onStoreReconnect?: RedisConnections["onReconnect"];
  voterSecret?: ReturnType<typeof redisVoterSecret>;
  readiness: () => Record<string, boolean>;
  close: () => Promise<void>;
}

/** Memory without REDIS_URL; with it, the Redis store, locks, directory and Socket.IO adapter. */
function createBackend(config: Config, logger: Logger, metrics: PromMetrics): Backend {
  const { historyLimit, idleTtlMs } = config.rooms;
  if (!config.redis.url) {
    const store = new MemoryStore({ historyLimit, idleTtlMs });
    return {
      store,
      records: new MemoryRooms({ idleTtlMs, writtenAt: (roomId) => store.writtenAt(roomId) }),
      queue: new MemoryQueue(),
      slots: new MemorySlots(config.llm.maxConcurrent),
      locks: new MemoryLocks(),
      directory: new MemoryDirectory(),
      readiness: () => ({}),
      close: async () => store.close(),
    };
  }
  const redisOptions = { keyPrefix: config.redis.prefix, commandTimeoutMs: config.redis.commandTimeoutMs };
  const redis = connectRedis(config.redis.url, redisOptions, logger, (role) => metrics.redisError(role));
  const { prefix, leaseMs } = config.redis;
  const connectedForMs = redis.connectedForMs;
  return {
    store: new RedisStore(redis.command, { prefix, historyLimit, ttlMs: idleTtlMs }),
    records: new RedisRooms(redis.command, { prefix, ttlMs: idleTtlMs }),
    queue: new RedisQueue(redis.command, { prefix, ttlMs: idleTtlMs }),
    slots: new RedisSlots(redis.command, { prefix, max: config.llm.maxConcurrent, leaseMs, logger }),
    locks: new RedisLocks(redis.command, { prefix, leaseMs, registryTtlMs: idleTtlMs, connectedForMs }),
    directory: new RedisDirectory(redis.command, { prefix, nodeId: config.nodeId, deadAfterMs: leaseMs, ttlMs: idleTtlMs, connectedForMs }),
    adapter: redis.adapter,
    rateLimitRedis: { client: redis.command, prefix },
    onStoreReconnect: redis.onReconnect,
    voterSecret: redisVoterSecret(redis.command, prefix),
    readiness: () => ({ redis: redis.healthy() }),
    close: () => redis.close(),
  };
}

function readConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

function logStartup(logger: Logger, config: Config, demo: boolean, port: number): void {
  const upstream = demo
    ? "built-in DEMO model (set LLM_BASE_URL to use LocalAI or another OpenAI-compatible server)"
    : `${config.llm.baseUrl} (${config.llm.api} API, model ${config.llm.model ?? "default"})`;
  logger.info({}, `answers come from: ${upstream}`);
  const store = config.redis.url ? "redis" : "memory";
  if (config.redis.url) logger.info({ redis: redactUrl(config.redis.url) }, "rooms are kept in Redis (history survives restarts; nodes share rooms)");
  else logger.info({}, "rooms are kept in memory (single node; history is lost on restart)");
  // Last, so that whoever waits for this line has seen the others.
  logger.info({ port, upstream, store, demo, node: config.nodeId }, `listening on http://localhost:${port}`);
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/** The server must never die of a stray rejection; log it loudly instead. */
function guardProcess(logger: Logger): void {
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));
}

function onShutdownSignal(logger: Logger, config: Config, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    // Answers get the grace period, then a moment to record their ends; then we go regardless.
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + 5000);
    force.unref();
    close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

await main();
