/**
 * The command connection fails fast during a Redis outage, so that a join, a send, a resume, an
 * API read or an SSE open answers `store_unavailable` within a second instead of waiting:
 * - Redis down (connection closed, ioredis reconnecting): once connected, a command is refused at
 *   once instead of waiting in the offline queue for reconnection attempts (2.5–12 s per call) and
 *   running after Redis returns, long after its caller gave up. Until the first connection it
 *   still queues: a node may start a moment before Redis answers.
 * - Redis unresponsive (frozen, or cut off by a network that keeps the connection open): each
 *   command waits at most REDIS_COMMAND_TIMEOUT_MS; the first timeout marks Redis unresponsive, and
 *   every command fails at once until a probing PING is answered.
 * Callers that must outlast an outage (the answer write loop, lease renewals, upkeep) retry on
 * their own. Only for the command connection: the subscriber must queue its subscriptions.
 */
import { Command, type Redis } from "ioredis";

/** While Redis is unresponsive, a PING this often finds out when it answers again. */
const PROBE_EVERY_MS = 200;
export const UNRESPONSIVE_MESSAGE =
  "Redis is not responding (a command timed out); failing fast until it answers a PING";

export function failFast(redis: Redis): void {
  redis.once("ready", () => {
    redis.options.enableOfflineQueue = false;
  });
  gateWhileUnresponsive(redis);
}

/**
 * Refuses commands while Redis is unresponsive. The verdict only changes in promise callbacks, so
 * every command of one pipeline or MULTI (sent in one synchronous loop) gets the same one: none
 * is half-sent, which would leave replies out of step with their commands.
 */
function gateWhileUnresponsive(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  const probe = new Prober(() => {
    const ping = new Command("ping");
    send(ping);
    return ping.promise;
  });
  redis.on("ready", () => probe.stop());
  redis.sendCommand = (command, stream) => {
    if (probe.running && command.name !== "quit") {
      command.reject(new Error(UNRESPONSIVE_MESSAGE));
      return command.promise;
    }
    command.promise.catch((error: unknown) => {
      // Not connected, ioredis itself refuses commands (offline queue off) and says when it is back.
      if (isTimeout(error) && redis.status === "ready") probe.start();
    });
    return send(command, stream);
  };
}

/** From `start()`, PINGs at once and PROBE_EVERY_MS after each failed PING, until one is answered (or `stop()`). */
class Prober {
  running = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ping: () => Promise<unknown>) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    // At once: a timeout may have been a pause of this process (GC, a long task), not of Redis.
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(
      () =>
        void this.ping().then(
          () => this.stop(),
          () => this.retry(),
        ),
      delayMs,
    ).unref();
  }

  /** Still unresponsive (the PING timed out or was refused): try again, unless stopped meanwhile. */
  private retry(): void {
    if (this.running) this.schedule(PROBE_EVERY_MS);
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === "Command timed out";
}
