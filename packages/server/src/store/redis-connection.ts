/**
 * The Redis connections of one node: a command connection (store + adapter publishing) and a
 * dedicated subscriber for the Socket.IO adapter. Errors are logged (throttled), never thrown:
 * ioredis reconnects by itself and the node keeps serving what it can meanwhile.
 */
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import type { Logger } from "../core/ports.ts";

export interface RedisConnections {
  command: Redis;
  subscriber: Redis;
  /** The Socket.IO adapter factory (pass to io.adapter). */
  adapter: ReturnType<typeof createAdapter>;
  healthy(): boolean;
  close(): Promise<void>;
}

const ERROR_LOG_INTERVAL_MS = 5000;

export function connectRedis(url: string, keyPrefix: string, logger: Logger): RedisConnections {
  const options = { maxRetriesPerRequest: 2, enableOfflineQueue: true, retryStrategy: (times: number) => Math.min(times * 200, 2000) };
  const command = new Redis(url, { ...options, connectionName: "tokencast-command" });
  const subscriber = new Redis(url, { ...options, connectionName: "tokencast-subscriber" });
  watch(command, "command", logger);
  watch(subscriber, "subscriber", logger);
  return {
    command,
    subscriber,
    adapter: createAdapter(command, subscriber, { key: `${keyPrefix}socket.io`, requestsTimeout: 3000 }),
    healthy: () => command.status === "ready" && subscriber.status === "ready",
    close: async () => {
      await Promise.allSettled([command.quit(), subscriber.quit()]);
    },
  };
}

function watch(redis: Redis, role: string, logger: Logger): void {
  let lastLog = 0;
  redis.on("error", (error: Error) => {
    const now = Date.now();
    if (now - lastLog < ERROR_LOG_INTERVAL_MS) return;
    lastLog = now;
    logger.warn({ err: error, role }, "redis connection error (retrying)");
  });
  redis.on("ready", () => logger.info({ role }, "redis connection ready"));
}
