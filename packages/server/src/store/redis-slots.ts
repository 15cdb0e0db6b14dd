import type { Redis } from "ioredis";
import { delay } from "../core/delay.ts";
import type { Logger, UpstreamSlots } from "../core/ports.ts";
import { defineScripts } from "./redis-commands.ts";
import { slotsKeys } from "./redis-keys.ts";
import { DROP_SLOT, TAKE_SLOT } from "./redis-slots-scripts.ts";

export interface RedisSlotsOptions {
  prefix: string;
  /** Answers streaming from the LLM at once, cluster-wide (0: no bound, Redis is not asked). */
  max: number;
  /** A holder or waiter whose node stops renewing for this long loses its place (ANSWER_LEASE_MS). */
  leaseMs: number;
  logger: Logger;
  /** How often a waiter asks again (default 250 ms). */
  pollMs?: number;
}

interface ScriptedRedis extends Redis {
  tcTakeSlot(
    holders: string,
    line: string,
    arrivals: string,
    leases: string,
    ...args: Array<string | number>
  ): Promise<number>;
  tcDropSlot(holders: string, line: string, arrivals: string, leases: string, id: string): Promise<number>;
}

/**
 * Upstream slots shared by every node: one fair line (first come, first served) for the one LLM
 * server they share. Waiters poll their place; holders renew a lease, so a dead node's slots and
 * places free themselves within ANSWER_LEASE_MS.
 */
export class RedisSlots implements UpstreamSlots {
  private readonly redis: ScriptedRedis;
  private readonly keys: [string, string, string, string];
  private readonly pollMs: number;

  constructor(
    redis: Redis,
    private readonly options: RedisSlotsOptions,
  ) {
    this.redis = defineScripts<ScriptedRedis>(redis, {
      tcTakeSlot: { numberOfKeys: 4, lua: TAKE_SLOT },
      tcDropSlot: { numberOfKeys: 4, lua: DROP_SLOT },
    });
    const { holders, line, arrivals, leases } = slotsKeys(options.prefix);
    this.keys = [holders, line, arrivals, leases];
    this.pollMs = options.pollMs ?? 250;
  }

  async acquire(id: string, signal: AbortSignal, onPlace: (place: number) => void): Promise<() => void> {
    if (this.options.max === 0) return noop;
    let told = 0;
    while (!signal.aborted) {
      const place = await this.take(id);
      if (place === 0) return this.hold(id);
      if (place !== undefined && place !== told) onPlace((told = place));
      await delay(this.pollMs, signal);
    }
    await this.drop(id);
    return noop;
  }

  /** 0: held; a place in line; undefined when Redis could not be asked (ask again). */
  private async take(id: string): Promise<number | undefined> {
    try {
      return await this.redis.tcTakeSlot(...this.keys, id, this.options.max, this.options.leaseMs);
    } catch (error) {
      this.options.logger.warn({ err: error, id }, "could not ask Redis for an upstream slot; asking again");
      return undefined;
    }
  }

  /** Keeps the slot's lease until released. */
  private hold(id: string): () => void {
    // A lease that lapsed anyway (Redis was away) must not leave this answer waiting in the line.
    const renew = async () => {
      if (((await this.take(id)) ?? 0) > 0) await this.drop(id);
    };
    const renewal = setInterval(() => void renew(), Math.max(50, Math.round(this.options.leaseMs / 4)));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renewal);
      void this.drop(id);
    };
  }

  private async drop(id: string): Promise<void> {
    try {
      await this.redis.tcDropSlot(...this.keys, id);
    } catch (error) {
      // The lease lapses by itself within ANSWER_LEASE_MS.
      this.options.logger.warn({ err: error, id }, "could not give an upstream slot back; it expires with its lease");
    }
  }
}

function noop(): void {
  // Nothing was held.
}
