/**
 * A private Redis Cluster per test file: three masters, each with one replica, on free loopback
 * ports (`redis-cli --cluster create`), so a test can kill a master and watch its replica take over.
 * Node timeout is short (1 s) so that a failover happens within a test's deadline.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startRedis, type RedisProcess } from "./redis.ts";
import { waitFor } from "./wait.ts";

const run = promisify(execFile);
const NODE_TIMEOUT_MS = 1000;
const SLOTS = 16384;

export interface RedisClusterProcess {
  nodes: RedisProcess[];
  /** Seed nodes as `redis://host:port` URLs, comma-separated (REDIS_URL's cluster form). */
  url: string;
  /** The masters' ports, as the cluster sees them now. */
  masters(): Promise<number[]>;
  /** The node serving `key`'s slot as master, now. */
  masterOf(key: string): Promise<RedisProcess>;
  /** Waits until every live node reports cluster_state:ok and every slot has a live master. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export async function startRedisCluster({ replicas = 1, masters = 3 } = {}): Promise<RedisClusterProcess> {
  const count = masters * (1 + replicas);
  const clusterArgs = [
    ...["--cluster-enabled", "yes", "--cluster-node-timeout", String(NODE_TIMEOUT_MS)],
    // A replica may take over however long it was cut off (the default refuses after 10 × node timeout).
    ...["--cluster-replica-validity-factor", "0"],
    ...["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"],
  ];
  const nodes = await Promise.all(
    Array.from({ length: count }, () => startRedis({ args: [...clusterArgs, "--cluster-config-file", "nodes.conf"] })),
  );
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  await run("redis-cli", [
    "--cluster",
    "create",
    ...addresses,
    "--cluster-replicas",
    String(replicas),
    "--cluster-yes",
  ]);
  const cluster: RedisClusterProcess = {
    nodes,
    url: nodes.map((node) => node.url).join(","),
    masters: () => masterPorts(nodes),
    masterOf: async (key) => {
      const slot = Number((await cli(nodes, ["cluster", "keyslot", key])).trim());
      const port = await slotOwner(nodes, slot);
      return nodes.find((node) => node.port === port) ?? fail(`no node serves slot ${slot}`);
    },
    ready: () => clusterReady(nodes),
    close: async () => {
      await Promise.all(nodes.map((node) => node.close()));
    },
  };
  await cluster.ready();
  await replicasInSync(nodes);
  return cluster;
}

async function clusterReady(nodes: RedisProcess[]): Promise<void> {
  await waitFor(
    async () => {
      for (const node of await liveNodes(nodes)) {
        const info = await redisCli(node.port, ["cluster", "info"]);
        if (!info.includes("cluster_state:ok")) return false;
      }
      return coveredSlots(await slotRanges(nodes)) === SLOTS;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: "the Redis Cluster to be ok" },
  );
}

/** Waits until every replica has finished its first sync (a replica that never synced cannot take over). */
async function replicasInSync(nodes: RedisProcess[]): Promise<void> {
  await waitFor(
    async () => {
      for (const node of nodes) {
        const info = await redisCli(node.port, ["info", "replication"]);
        if (info.includes("role:slave") && !info.includes("master_link_status:up")) return false;
      }
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: "the cluster's replicas to sync" },
  );
}

/** The port of the master serving `slot`, from CLUSTER NODES on a live node. */
async function slotOwner(nodes: RedisProcess[], slot: number): Promise<number> {
  const range = (await slotRanges(nodes)).find(([start, end]) => slot >= start && slot <= end);
  return range ? range[2] : fail(`slot ${slot} has no master`);
}

/** Each master's slot ranges as [start, end, port], read from CLUSTER NODES. */
async function slotRanges(nodes: RedisProcess[]): Promise<Array<[number, number, number]>> {
  const ranges: Array<[number, number, number]> = [];
  for (const line of (await cli(nodes, ["cluster", "nodes"])).split("\n")) {
    const fields = line.trim().split(" ");
    if (!fields[2]?.includes("master") || fields[2].includes("fail")) continue;
    const port = Number(fields[1]?.split(":")[1]?.split("@")[0]);
    for (const range of fields.slice(8)) {
      const [start, end = start] = range.split("-").map(Number);
      if (start !== undefined && Number.isFinite(start)) ranges.push([start, end ?? start, port]);
    }
  }
  return ranges;
}

function coveredSlots(ranges: Array<[number, number, number]>): number {
  return ranges.reduce((sum, [start, end]) => sum + end - start + 1, 0);
}

async function masterPorts(nodes: RedisProcess[]): Promise<number[]> {
  return [...new Set((await slotRanges(nodes)).map(([, , port]) => port))];
}

async function liveNodes(nodes: RedisProcess[]): Promise<RedisProcess[]> {
  const alive = await Promise.all(
    nodes.map((node) =>
      redisCli(node.port, ["ping"]).then(
        () => node,
        () => undefined,
      ),
    ),
  );
  return alive.filter((node): node is RedisProcess => node !== undefined);
}

/** Runs a redis-cli command on the first live node. */
async function cli(nodes: RedisProcess[], args: string[]): Promise<string> {
  const [node] = await liveNodes(nodes);
  return node ? redisCli(node.port, args) : fail("no live cluster node");
}

async function redisCli(port: number, args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...args], { timeout: 5000 });
  if (stdout.startsWith("ERR") || stdout.startsWith("Could not connect")) throw new Error(stdout);
  return stdout;
}

function fail(message: string): never {
  throw new Error(message);
}
