/**
 * Server nodes for benchmarks: real child processes (tests/helpers/spawn-node.ts) with the
 * event-loop/GC/CPU probe injected (node-probe.mjs), optionally pinned to a CPU, one alone or two
 * sharing a private redis-server.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startRedis, type RedisProcess } from "../../tests/helpers/redis.ts";
import { startNode, type ServerNode } from "../../tests/helpers/spawn-node.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import type { ProbeStats } from "./node-probe.mjs";
import { pin, type Placement } from "./pinning.ts";

const PROBE = fileURLToPath(new URL("./node-probe.mjs", import.meta.url));
const probeDir = mkdtempSync(path.join(tmpdir(), "tokencast-bench-probe-"));
process.on("exit", () => rmSync(probeDir, { recursive: true, force: true }));

export interface BenchNode {
  node: ServerNode;
  url: string;
  pid: number;
  /** Starts a new probe window (event-loop delay, GC, CPU). */
  probeReset(): Promise<void>;
  /** Statistics since the last probeReset(). */
  probe(): Promise<ProbeStats>;
  stop(): Promise<void>;
}

/** Extra NODE_OPTIONS for a node, e.g. "--max-semi-space-size=16" (BENCH_NODE_OPTIONS). */
const EXTRA_NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS ?? "";

/** `env` overrides the base settings; a key set to undefined is left out (the node takes its default). */
export async function startBenchNode(
  env: Record<string, string | undefined>,
  placement: Placement,
  nodeOptions = "",
): Promise<BenchNode> {
  const file = path.join(probeDir, `${Math.random().toString(36).slice(2)}.json`);
  const node = await startNode({
    LOG_LEVEL: "info",
    // Benchmarks stream answers far past the default 200,000-character cap on purpose.
    LLM_MAX_ANSWER_CHARS: "0",
    // …and start many answers and rooms at once from one address: no LLM line, no per-IP budgets
    // (spelled out here, not only in the test defaults, so a benchmark is never throttled by them).
    LLM_MAX_CONCURRENT: "0",
    ANSWERS_PER_IP_PER_MINUTE: "0",
    ADHOC_ROOMS_PER_IP_PER_HOUR: "0",
    MAX_ROOMS_PER_CONNECTION: "0",
    MAX_MEMBERS_PER_IP_PER_ROOM: "0",
    // (f) puts 10,000 viewers (the default cap) and the asker in one room.
    MAX_MEMBERS_PER_ROOM: "1000000",
    ABANDONED_ANSWER_GRACE_MS: "0",
    ...env,
    BENCH_PROBE_FILE: file,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${PROBE} ${EXTRA_NODE_OPTIONS} ${nodeOptions}`.trim(),
  });
  const pid = node.child.pid!;
  if (placement.server) pin(pid, placement.server);
  let signals = 0;
  const signal = async (): Promise<ProbeStats> => {
    signals += 1;
    const n = signals;
    node.child.kill("SIGUSR2");
    return waitFor(() => readProbe(file, n), { timeoutMs: 10_000, what: "the node's probe" });
  };
  return {
    node,
    url: node.url,
    pid,
    probeReset: async () => {
      await signal();
    },
    probe: signal,
    stop: async () => {
      await node.stop();
    },
  };
}

function readProbe(file: string, n: number): ProbeStats | undefined {
  if (!existsSync(file)) return undefined;
  const stats = JSON.parse(readFileSync(file, "utf8")) as ProbeStats & { n: number };
  return stats.n >= n ? stats : undefined;
}

export interface TwoNodes {
  redis: RedisProcess;
  a: BenchNode;
  b: BenchNode;
  stop(): Promise<void>;
}

/** A private redis-server and two nodes sharing it (Redis store + Socket.IO Redis adapter). */
export async function startTwoNodes(env: Record<string, string>, placement: Placement): Promise<TwoNodes> {
  const redis = await startRedis();
  const redisEnv = { ...env, REDIS_URL: redis.url, REDIS_PREFIX: `bench-${Date.now()}:` };
  const a = await startBenchNode(redisEnv, placement);
  const b = await startBenchNode(redisEnv, placement);
  return {
    redis,
    a,
    b,
    stop: async () => {
      await Promise.allSettled([a.stop(), b.stop()]);
      await redis.close();
    },
  };
}
