/**
 * The voter-id secret of a deployment without TOKEN_SECRET, kept in Redis so that every node
 * signs and checks voter ids alike: the first node to need it creates it (SET NX), everyone
 * reads it. Each node re-reads it now and then and renews its TTL, so it lives as long as some
 * node runs; if Redis loses it, a new one is made and old voter ids are no longer believed
 * (their holders get fresh ones — the queues they voted in went with the same data).
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { VoterSecret } from "../core/voter-ids.ts";
import { storeCall } from "./redis-errors.ts";
import { voterSecretKey } from "./redis-keys.ts";

/** How long a node trusts the secret it read before reading it again. */
const REREAD_EVERY_MS = 10 * 60_000;
/** The key outlives every node by this much (renewed on each read). */
const TTL_MS = 30 * 24 * 3_600_000;

const READ_OR_CREATE = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('GET', KEYS[1])
`;

export function redisVoterSecret(redis: Redis, prefix: string, now: () => number = Date.now): VoterSecret {
  const key = voterSecretKey(prefix);
  let cached: { secret: string; readAt: number } | undefined;
  return async () => {
    if (cached && now() - cached.readAt < REREAD_EVERY_MS) return cached.secret;
    try {
      cached = { secret: await readOrCreate(redis, key), readAt: now() };
    } catch (error) {
      if (!cached) throw error;
      // Redis is away: the secret read before is still the deployment's (it only changes if Redis lost it).
    }
    return cached.secret;
  };
}

async function readOrCreate(redis: Redis, key: string): Promise<string> {
  const fresh = randomBytes(32).toString("hex");
  return storeCall(async () => String(await redis.eval(READ_OR_CREATE, 1, key, fresh, TTL_MS)));
}
