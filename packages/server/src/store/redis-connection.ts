/**
 * The Redis connections of one node: a command connection (store + adapter publishing) and a
 * dedicated subscriber for the Socket.IO adapter. Errors are logged (throttled), never thrown:
 * ioredis reconnects by itself (and resubscribes) while the node keeps serving what it can.
 */
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import type { Logger } from "../core/ports.ts";
import { failFast } from "./redis-fail-fast.ts";
import { adapterKey } from "./redis-keys.ts";

export interface RedisConnections {
  command: Redis;
  subscriber: Redis;
  /** The Socket.IO adapter factory (pass to io.adapter). */
  adapter: ReturnType<typeof createAdapter>;
  healthy(): boolean;
  /** How long both connections have been ready, in ms (0 while either is down). */
  connectedForMs(): number;
  /** Called each time both connections are ready again after an interruption. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

const ERROR_LOG_INTERVAL_MS = 5000;
/** A node-to-node request (e.g. a stop) waits this long for the other nodes' answers. */
const REQUESTS_TIMEOUT_MS = 3000;

export interface RedisConnectionOptions {
  /** REDIS_PREFIX: the adapter's channels live under it. */
  keyPrefix: string;
  /**
   * REDIS_COMMAND_TIMEOUT_MS: a command on the command connection without a reply by then fails
   * (a Redis frozen or cut off by the network keeps the connection open: calls would hang). 0 = never.
   */
  commandTimeoutMs: number;
}

/**
 * `onError` hears every connection error (metrics) with the connection's role (`command`,
 * `subscriber`), and every failed command as `request`.
 */
export function connectRedis(
  url: string,
  { keyPrefix, commandTimeoutMs }: RedisConnectionOptions,
  logger: Logger,
  onError?: (role: string) => void,
): RedisConnections {
  const options = {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
  const commandTimeout = commandTimeoutMs > 0 ? { commandTimeout: commandTimeoutMs } : {};
  const command = new Redis(url, { ...options, ...commandTimeout, connectionName: "tokencast-command" });
  failFast(command);
  const subscriber = new Redis(url, { ...options, connectionName: "tokencast-subscriber" });
  const healthy = () => command.status === "ready" && subscriber.status === "ready";
  const link = trackLink(healthy);
  for (const [redis, role] of [
    [command, "command"],
    [subscriber, "subscriber"],
  ] as const) {
    watch(redis, role, logger);
    if (onError) redis.on("error", () => onError(role));
    if (onError) reportFailedCommands(redis, () => onError("request"));
    redis.on("ready", link.ready);
    redis.on("close", link.down);
  }
  return {
    command,
    subscriber,
    adapter: createAdapter(command, subscriber, { key: adapterKey(keyPrefix), requestsTimeout: REQUESTS_TIMEOUT_MS }),
    healthy,
    connectedForMs: link.connectedForMs,
    onReconnect: link.onReconnect,
    close: async () => {
      await Promise.allSettled([command.quit(), subscriber.quit()]);
    },
  };
}

/** Tracks since when both connections are up, and tells listeners when they come back. */
function trackLink(healthy: () => boolean) {
  let upSince: number | undefined;
  let everUp = false;
  const listeners: Array<() => void> = [];
  return {
    ready: () => {
      if (!healthy() || upSince !== undefined) return;
      upSince = performance.now();
      if (everUp) for (const listener of listeners) listener();
      everUp = true;
    },
    down: () => {
      upSince = undefined;
    },
    connectedForMs: () => (upSince === undefined ? 0 : performance.now() - upSince),
    onReconnect: (listener: () => void) => void listeners.push(listener),
  };
}

/**
 * ioredis has no event for a command that fails (timeout, connection lost, an error reply), so
 * this wraps the one method every command, pipelined or not, goes through. Two failures are
 * ioredis's own business, not errors: a script missing from Redis's cache (NOSCRIPT: ioredis then
 * sends the script), and the CLIENT commands it sends on connecting (older Redis lacks SETINFO).
 */
function reportFailedCommands(redis: Redis, onFailure: () => void): void {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    if (command.name.toLowerCase() !== "client") {
      command.promise.catch((error: unknown) => {
        if (!(error instanceof Error && error.message.includes("NOSCRIPT"))) onFailure();
      });
    }
    return send(command, stream);
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
  redis.on("close", () => logger.debug({ role }, "redis connection closed"));
}
