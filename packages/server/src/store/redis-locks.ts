import type { Redis } from "ioredis";
import type { AnswerLocks, AnswerRef } from "../core/ports.ts";
import { storeCall } from "./redis-errors.ts";
import { defineScripts } from "./redis-commands.ts";
import { answerRegistryKey, roomKeys } from "./redis-keys.ts";
import { ACQUIRE_LOCK, HAND_OVER_LOCK, RELEASE_LOCK, RENEW_LOCK } from "./redis-lock-scripts.ts";

export interface RedisLocksOptions {
  prefix: string;
  /**
   * A dead owner's answer is found and ended within this time: the lock lives 70% of it and is
   * renewed every 20%; nodes look for orphans every 20%.
   */
  leaseMs: number;
  /** TTL of the registry of answers in progress (refreshed whenever an answer starts). */
  registryTtlMs: number;
  /**
   * How long this node's Redis connection has been up, in ms. Right after Redis comes back every
   * lease may have lapsed; orphans are only looked for once owners have had a lease to renew.
   */
  connectedForMs?: () => number;
}

interface ScriptedRedis extends Redis {
  tcAcquireLock(lock: string, registry: string, ...args: Array<string | number>): Promise<number>;
  tcRenewLock(lock: string, messages: string, ...args: Array<string | number>): Promise<number>;
  tcReleaseLock(lock: string, registry: string, ...args: Array<string | number>): Promise<number>;
  tcHandOverLock(lock: string, ...args: Array<string | number>): Promise<number>;
}

/**
 * AnswerLocks in Redis. The lock (`{room}:answer-lock`, SET NX PX) names the answer holding the
 * room; a registry (`answers`, a sorted set) lists the answers in progress so that any node can
 * find the ones whose lock lapsed. Acquire, renew and release are atomic scripts.
 */
export class RedisLocks implements AnswerLocks {
  readonly renewEveryMs: number;
  readonly orphanCheckEveryMs: number;
  private readonly lockTtlMs: number;
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly options: RedisLocksOptions,
  ) {
    this.redis = defineScripts<ScriptedRedis>(redis, {
      tcAcquireLock: { numberOfKeys: 2, lua: ACQUIRE_LOCK },
      tcRenewLock: { numberOfKeys: 2, lua: RENEW_LOCK },
      tcReleaseLock: { numberOfKeys: 2, lua: RELEASE_LOCK },
      tcHandOverLock: { numberOfKeys: 1, lua: HAND_OVER_LOCK },
    });
    this.lockTtlMs = Math.max(100, Math.round(options.leaseMs * 0.7));
    this.renewEveryMs = Math.max(50, Math.round(options.leaseMs * 0.2));
    this.orphanCheckEveryMs = this.renewEveryMs;
  }

  async acquire(roomId: string, messageId: string): Promise<boolean> {
    const { lockTtlMs } = this;
    const args = [messageId, member({ roomId, messageId }), lockTtlMs, this.options.registryTtlMs];
    const result = await storeCall(() => this.redis.tcAcquireLock(this.lockKey(roomId), this.registry, ...args));
    return result === 1;
  }

  async renew(roomId: string, messageId: string): Promise<boolean> {
    return (
      (await this.redis.tcRenewLock(
        this.lockKey(roomId),
        roomKeys(this.options.prefix, roomId).messages,
        messageId,
        this.lockTtlMs,
      )) === 1
    );
  }

  async release(roomId: string, messageId: string): Promise<void> {
    await this.redis.tcReleaseLock(this.lockKey(roomId), this.registry, messageId, member({ roomId, messageId }));
  }

  async handOver(roomId: string, messageId: string): Promise<void> {
    await this.redis.tcHandOverLock(this.lockKey(roomId), messageId);
  }

  async orphans(): Promise<AnswerRef[]> {
    if ((this.options.connectedForMs?.() ?? Number.POSITIVE_INFINITY) < this.options.leaseMs) return [];
    const entries = await this.redis.zrange(this.registry, 0, -1);
    const answers = entries.flatMap((entry) => parseMember(entry));
    if (answers.length === 0) return [];
    const holders = await this.redis.mget(...answers.map((a) => this.lockKey(a.roomId)));
    return answers.filter((answer, i) => holders[i] !== answer.messageId);
  }

  async forget(answer: AnswerRef): Promise<void> {
    await this.redis.zrem(this.registry, member(answer));
  }

  private get registry(): string {
    return answerRegistryKey(this.options.prefix);
  }

  private lockKey(roomId: string): string {
    return roomKeys(this.options.prefix, roomId).answerLock;
  }
}

/** Registry entries are "<roomId> <messageId>" (room ids never contain spaces). */
function member({ roomId, messageId }: AnswerRef): string {
  return `${roomId} ${messageId}`;
}

function parseMember(entry: string): AnswerRef[] {
  const space = entry.indexOf(" ");
  return space > 0 ? [{ roomId: entry.slice(0, space), messageId: entry.slice(space + 1) }] : [];
}
