/**
 * Soak (`pnpm bench soak [--minutes 5] [--viewers 500] [--rooms 50] [--swarms 2] [--bounce-seconds 40]`):
 * two nodes sharing a private redis-server, `viewers` viewers over `rooms` rooms in `swarms`
 * load-generator processes (soak-swarm.ts), each joining through a random node and bouncing (drop,
 * reconnect through a random node, rejoin, resume) every `bounce-seconds` on average. Each room's
 * driver (soak-driver.ts) asks again as soon as an answer ends. Every viewer checks every answer's
 * final text exactly (soak-text.ts). Memory of both nodes and Redis is sampled every 30 s.
 */
import { fork, type ChildProcess } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { problems } from "../../tests/helpers/spawn-node.ts";
import { startRedis } from "../../tests/helpers/redis.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { sleep } from "../lib/asker.ts";
import { startBenchNode, type BenchNode } from "../lib/nodes.ts";
import { placement } from "../lib/pinning.ts";
import { emptyDriverCounts, SoakDriver, type DriverCounts } from "../lib/soak-driver.ts";
import { memoryTable, sampleMemory, type MemorySample } from "../lib/soak-memory.ts";
import type { SoakCommand, SoakEvent } from "../lib/soak-swarm.ts";
import { startSoakUpstream } from "../lib/soak-upstream.ts";
import { emptyCounts, type ViewerCounts } from "../lib/soak-viewer.ts";
import { table } from "../lib/stats.ts";

const SWARM = fileURLToPath(new URL("../lib/soak-swarm.ts", import.meta.url));
const SAMPLE_EVERY_S = 30;
const SETTLE_MS = 60_000;

export interface SoakOptions {
  minutes: number;
  viewers: number;
  rooms: number;
  swarms: number;
  bounceSeconds: number;
}

export function soakOptions(args: string[]): SoakOptions {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: "string", default: "5" },
      viewers: { type: "string", default: "500" },
      rooms: { type: "string", default: "50" },
      swarms: { type: "string", default: "2" },
      "bounce-seconds": { type: "string", default: "40" },
    },
  });
  const options = {
    minutes: Number(values.minutes),
    viewers: Number(values.viewers),
    rooms: Number(values.rooms),
    swarms: Number(values.swarms),
    bounceSeconds: Number(values["bounce-seconds"]),
  };
  for (const [key, value] of Object.entries(options))
    if (!(value > 0)) throw new Error(`soak: --${key} must be a positive number`);
  return options;
}

class Swarm {
  private readonly inbox: SoakEvent[] = [];
  constructor(readonly child: ChildProcess) {
    child.on("message", (m) => this.inbox.push(m as SoakEvent));
  }
  send(command: SoakCommand): void {
    this.child.send(command);
  }
  async wait<T extends SoakEvent["type"]>(type: T, timeoutMs = 120_000): Promise<Extract<SoakEvent, { type: T }>> {
    return waitFor(
      () => {
        const i = this.inbox.findIndex((m) => m.type === type);
        return i >= 0 ? (this.inbox.splice(i, 1)[0] as Extract<SoakEvent, { type: T }>) : undefined;
      },
      { timeoutMs, what: `soak swarm ${type}` },
    );
  }
}

async function startSwarms(options: SoakOptions, urls: string[]): Promise<Swarm[]> {
  const swarms = Array.from(
    { length: options.swarms },
    () => new Swarm(fork(SWARM, [], { execArgv: ["--import", "tsx"] })),
  );
  await Promise.all(swarms.map((s) => s.wait("online")));
  const rooms = Array.from({ length: options.viewers }, (_, i) => `soak-${i % options.rooms}`);
  swarms.forEach((s, index) =>
    s.send({
      type: "start",
      urls,
      rooms: rooms.filter((_, i) => i % swarms.length === index),
      bounceMs: options.bounceSeconds * 1000,
      index,
    }),
  );
  await Promise.all(swarms.map((s) => s.wait("ready")));
  return swarms;
}

function sumCounts(all: ViewerCounts[]): ViewerCounts {
  const total = emptyCounts();
  for (const c of all) {
    for (const key of Object.keys(total) as Array<keyof ViewerCounts>) if (key !== "examples") total[key] += c[key];
    total.examples.push(...c.examples);
  }
  return total;
}

function sumDrivers(all: DriverCounts[]): DriverCounts {
  const total = emptyDriverCounts();
  for (const c of all) {
    for (const key of Object.keys(total) as Array<keyof DriverCounts>) if (key !== "examples") total[key] += c[key];
    total.examples.push(...c.examples);
  }
  return total;
}

/** Questions for `minutes`, a memory sample every SAMPLE_EVERY_S. */
async function runFor(minutes: number, sample: (at: number) => Promise<void>): Promise<void> {
  const start = Date.now();
  for (let at = 0; at <= minutes * 60; at += SAMPLE_EVERY_S) {
    await sleep(Math.max(0, start + at * 1000 - Date.now()));
    await sample(at);
  }
}

/** Warnings of both nodes (e.g. an answer taken over after its lease expired), by message. */
function warnings(nodes: BenchNode[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of nodes.flatMap((n) => n.node.logs)) {
    if (typeof entry.level !== "number" || entry.level < 40) continue;
    const msg = String(entry.msg);
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return counts;
}

function resultRows(
  o: SoakOptions,
  v: ViewerCounts,
  d: DriverCounts,
  seconds: number,
  nodeProblems: number,
  warned: Map<string, number>,
): Array<Array<string | number>> {
  const verdict = (n: number) => (n === 0 ? "0 ✓" : `**${n}** ✗`);
  const rows: Array<Array<string | number>> = [
    [
      "answers completed (driver saw `done`)",
      d.done,
      `${d.asked} asked in ${seconds.toFixed(0)} s; ${d.failed} ended otherwise; ${d.refused} sends refused; ` +
        `${d.endsMissed} ends the driver waited > 60 s for`,
    ],
    [
      "answers checked by viewers",
      v.checked,
      `${v.verified} exactly equal to the expected text; ` +
        `${v.endedEarly} ended early (not \`done\`) with an exact prefix of it`,
    ],
    [
      "deltas delivered",
      v.deltas + v.resumedDeltas,
      `${v.deltas} live + ${v.resumedDeltas} through chat:resume ` +
        `(${((v.deltas + v.resumedDeltas) / seconds).toFixed(0)}/s)`,
    ],
    [
      "**lost**",
      verdict(v.lost + v.unfinished + v.unfilledGaps),
      `${v.lost} final texts short or wrong, ${v.unfinished} answers never completed, ` +
        `${v.unfilledGaps} gaps a resume could not fill`,
    ],
    ["**duplicated-applied**", verdict(v.duplicatedApplied), "final text longer than expected"],
    ["duplicates received and dropped", v.duplicatesDropped, "delta seq already held (e.g. live delta after a resume)"],
    ["gaps / resumes", `${v.gaps} / ${v.resumes}`, `snapshot conflicts: ${v.snapshotConflicts}`],
    [
      "reconnects",
      v.reconnects,
      `${v.joins} joins; ${v.errors} connection errors; ${o.bounceSeconds} s mean between bounces per viewer`,
    ],
    ["node error logs", nodeProblems, "log lines at error level or crash output, both nodes"],
    [
      "node warnings",
      [...warned.values()].reduce((a, b) => a + b, 0),
      [...warned].map(([msg, n]) => `${n}× ${msg}`).join("; ") || "none",
    ],
  ];
  // Counts are integers: shown as such (the table gives numbers one decimal below 100).
  return rows.map((row) => row.map((cell) => String(cell)));
}

export async function soak(args: string[]): Promise<void> {
  const options = soakOptions(args);
  const upstream = await startSoakUpstream();
  const redis = await startRedis();
  const env = {
    COALESCE_MS: "30",
    LLM_BASE_URL: upstream.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `soak-${Date.now()}:`,
    HISTORY_LIMIT: "20",
  };
  const where = placement(false);
  const nodes: BenchNode[] = [
    await startBenchNode(env, where, "--expose-gc"),
    await startBenchNode(env, where, "--expose-gc"),
  ];
  const urls = nodes.map((n) => n.url);
  const swarms = await startSwarms(options, urls);
  const drivers = Array.from(
    { length: options.rooms },
    (_, r) => new SoakDriver(urls[r % 2]!, `soak-${r}`, emptyDriverCounts()),
  );
  const samples: MemorySample[] = [];
  const loadBefore = os.loadavg()[0]!;
  try {
    await Promise.all(drivers.map((d) => d.start()));
    const started = Date.now();
    await runFor(options.minutes, async (at) => {
      samples.push(await sampleMemory(at, nodes, redis.port));
      console.error(`[soak] ${at} s: load ${os.loadavg()[0]!.toFixed(2)}`);
    });
    await Promise.all(drivers.map((d) => d.stop()));
    const seconds = (Date.now() - started) / 1000;
    for (const s of swarms) s.send({ type: "settle", timeoutMs: SETTLE_MS });
    const settled = await Promise.all(swarms.map((s) => s.wait("settled")));
    for (const s of swarms) s.send({ type: "report" });
    const reports = await Promise.all(swarms.map((s) => s.wait("report")));
    const viewers = sumCounts(reports.map((r) => r.counts));
    const driven = sumDrivers(drivers.map((d) => d.counts));
    const nodeProblems = nodes.flatMap((n) => problems(n.node));
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    console.log(`Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`);
    console.log(
      `Soak: ${options.minutes} min, ${options.viewers} viewers over ${options.rooms} rooms, 2 nodes + redis, ` +
        `${options.swarms} load generators; answers 200–800 tokens at 100–300 tok/s; COALESCE_MS=30, HISTORY_LIMIT=20`,
    );
    const settle = settled.map((s) => `${s.pending} pending, ${s.offline} offline`).join("; ");
    const loadAfter = os.loadavg()[0]!.toFixed(2);
    console.log(`Load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter} after; settle: ${settle}\n`);
    console.log(
      table(
        ["what", "result", "detail"],
        resultRows(options, viewers, driven, seconds, nodeProblems.length, warnings(nodes)),
      ),
    );
    const slopeFrom = options.minutes > 4 ? (options.minutes - 4) * 60 : 0;
    const memory = memoryTable(samples, slopeFrom);
    console.log(`\nMemory (MB; heap after a full GC), slope by least squares:\n\n${memory}`);
    const examples = [...new Set([...viewers.examples, ...driven.examples, ...nodeProblems])].slice(0, 20);
    if (examples.length > 0) console.log(`\nExamples:\n${examples.map((e) => `- ${e}`).join("\n")}`);
  } finally {
    for (const s of swarms) if (s.child.connected) s.send({ type: "exit" });
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await redis.close();
    await upstream.close();
  }
}
