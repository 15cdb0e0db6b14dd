import type { Redis } from "ioredis";

/**
 * Time passing for Redis keys: every PTTL under `prefix` goes down by `ms` (a key at 0 is gone).
 * Deterministic, unlike waiting.
 */
export async function elapseRedis(client: Redis, prefix: string, ms: number): Promise<void> {
  for (const key of await client.keys(`${prefix}*`)) {
    const left = await client.pttl(key);
    if (left > ms) await client.pexpire(key, left - ms);
    else if (left > 0) await client.del(key);
  }
}
