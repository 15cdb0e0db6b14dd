import { describe, expect, it } from "vitest";
import { VoterIds } from "../core/voter-ids.ts";
import { usePrivateRedis } from "./redis-fixture.ts";
import { voterSecretKey } from "./redis-keys.ts";
import { redisVoterSecret } from "./redis-voter-secret.ts";

const redis = usePrivateRedis();
let counter = 0;

describe("redisVoterSecret (voter ids without TOKEN_SECRET)", () => {
  it("every node gets the secret the first one created, so an id signed on one node holds on another; the key has a TTL", async () => {
    const prefix = `voters${++counter}:`;
    const [nodeA, nodeB] = [redisVoterSecret(redis.client, prefix), redisVoterSecret(redis.client, prefix)];
    const [secretA, secretB] = await Promise.all([nodeA(), nodeB()]);
    expect(secretA).toMatch(/^[0-9a-f]{64}$/);
    expect(secretB).toBe(secretA);
    const signedOnA = await new VoterIds(nodeA).admit(undefined);
    expect(await new VoterIds(nodeB).admit(signedOnA.signed)).toEqual(signedOnA);
    expect(await redis.client.pttl(voterSecretKey(prefix))).toBeGreaterThan(0);
    expect(await redisVoterSecret(redis.client, `voters${++counter}:`)()).not.toBe(secretA);
  });

  it("re-reads it after a while: a lost key is made again, and every node moves to the new one", async () => {
    const prefix = `voters${++counter}:`;
    let now = 0;
    const node = redisVoterSecret(redis.client, prefix, () => now);
    const first = await node();
    await redis.client.del(voterSecretKey(prefix));
    expect(await node()).toBe(first);
    now += 60 * 60_000;
    const second = await node();
    expect(second).not.toBe(first);
    expect(await redis.client.get(voterSecretKey(prefix))).toBe(second);
  });
});
