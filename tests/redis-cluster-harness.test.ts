import { Cluster } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startRedisCluster, type RedisClusterProcess } from "./helpers/redis-cluster.ts";
import { waitFor } from "./helpers/wait.ts";

let cluster: RedisClusterProcess;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(() => cluster?.close());

it("starts three masters that serve every slot, and a replica takes over a killed master", async () => {
  expect(await cluster.masters()).toHaveLength(3);
  const client = new Cluster(
    cluster.url.split(",").map((url) => ({ host: "127.0.0.1", port: Number(url.split(":")[2]) })),
  );
  await client.set("{a}x", "1");
  const master = await cluster.masterOf("{a}x");
  await master.kill();
  const promoted = async () => {
    const masters = await cluster.masters();
    return masters.length === 3 && !masters.includes(master.port);
  };
  await waitFor(promoted, { timeoutMs: 20_000, what: "failover" });
  await cluster.ready();
  expect(await client.get("{a}x")).toBe("1");
  client.disconnect();
}, 60_000);
