import type { Redis } from "ioredis";
import type { AnswerLocks } from "../core/ports.ts";
import { roomKeys } from "./redis-keys.ts";

/** Extends the lease only while the lock still names this answer. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lock only while it still names this answer. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** AnswerLocks in Redis: SET NX PX with a lease, renewed and released by compare-and-set scripts. */
export class RedisLocks implements AnswerLocks {
  readonly renewEveryMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; leaseMs: number },
  ) {
    this.renewEveryMs = Math.max(100, Math.floor(options.leaseMs / 3));
  }

  async acquire(roomId: string, messageId: string): Promise<boolean> {
    return (await this.redis.set(this.key(roomId), messageId, "PX", this.options.leaseMs, "NX")) === "OK";
  }

  async renew(roomId: string, messageId: string): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key(roomId), messageId, this.options.leaseMs)) === 1;
  }

  async release(roomId: string, messageId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(roomId), messageId);
  }

  private key(roomId: string): string {
    return `${roomKeys(this.options.prefix, roomId).base}:answer-lock`;
  }
}
