import { describe, expect, it } from "vitest";
import type { Member } from "@tokencast/protocol";
import { usePrivateRedis } from "./redis-fixture.ts";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { RedisDirectory, type RedisDirectoryOptions } from "./redis-directory.ts";

const redis = usePrivateRedis();
let counter = 0;

function redisNode(prefix: string, nodeId: string, options: Partial<RedisDirectoryOptions> = {}): RedisDirectory {
  return new RedisDirectory(redis.client, { prefix, nodeId, deadAfterMs: 5000, ttlMs: 60_000, ...options });
}

const member = (id: string, joinedAt: number, role: Member["role"] = "participant"): Member => ({
  id,
  name: `name-${id}`,
  joinedAt,
  role,
});
const counts = (participant: number, others: Partial<Record<Member["role"], number>> = {}) => ({
  owner: 0,
  presenter: 0,
  viewer: 0,
  participant,
  ...others,
});

describe("RedisDirectory across nodes", () => {
  it("two nodes list each other's members; a node that stops heart-beating has its members swept", async () => {
    const prefix = `dir${++counter}:`;
    const a = redisNode(prefix, "node-a", { deadAfterMs: 300 });
    const b = redisNode(prefix, "node-b", { deadAfterMs: 300 });
    await Promise.all([a.heartbeat(), b.heartbeat()]);
    await a.add("r", member("on-a", 1));
    await b.add("r", member("on-b", 2), "198.51.100.9");
    await b.add("s", member("on-b-too", 3));
    expect((await a.list("r", 10)).members.map((m) => m.id)).toEqual(["on-a", "on-b"]);
    // B dies (no more heartbeats); A keeps beating and sweeps.
    const rooms = await waitFor(
      async () => {
        await a.heartbeat();
        const changed = await a.sweep();
        return changed.length > 0 ? changed : undefined;
      },
      { timeoutMs: 3000, what: "B's members to be swept" },
    );
    expect(rooms.sort()).toEqual(["r", "s"]);
    expect(await a.list("r", 10)).toEqual({ members: [member("on-a", 1)], count: 1, roleCounts: counts(1) });
    expect(await a.list("s", 10)).toEqual({ members: [], count: 0, roleCounts: counts(0) });
    expect(await a.countFrom("r", "198.51.100.9")).toBe(0);
    expect(await a.sweep()).toEqual([]);
  });

  it("does not sweep until its own connection has been up for the dead-after time", async () => {
    const prefix = `dir${++counter}:`;
    let upFor = 0;
    const a = redisNode(prefix, "node-a", { deadAfterMs: 200, connectedForMs: () => upFor });
    const b = redisNode(prefix, "node-b", { deadAfterMs: 200 });
    await b.heartbeat();
    await b.add("r", member("on-b", 1));
    await waitFor(
      async () => {
        const [seconds, micros] = await redis.client.time();
        const beat = Number(await redis.client.zscore(`${prefix}nodes`, "node-b"));
        return Number(seconds) * 1000 + Number(micros) / 1000 - beat > 200;
      },
      { what: "B's heartbeat to age past the bound" },
    );
    expect(await a.sweep()).toEqual([]);
    upFor = 200;
    expect(await a.sweep()).toEqual(["r"]);
  });

  it("every key it writes has a TTL", async () => {
    const prefix = `dir${++counter}:`;
    const a = redisNode(prefix, "node-a");
    await a.heartbeat();
    await a.add("r", member("m", 1), "198.51.100.1");
    const keys = await redis.client.keys(`${prefix}*`);
    expect(keys.length).toBe(5);
    for (const key of keys) expect(await redis.client.pttl(key), key).toBeGreaterThan(0);
  });
});
