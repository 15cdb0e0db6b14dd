/**
 * Benchmarks (not tests): `pnpm bench`. Real server nodes, a private redis-server, a raw `ws`
 * relay and the audience as separate load-generator processes, against a timestamping upstream.
 * Prints Markdown tables for BENCHMARKS.md. See bench/README.md for the scenarios and settings.
 *
 *   pnpm bench                                   every scenario
 *   BENCH_SCENARIOS=a1,b pnpm bench              a subset (a1 a2 b c d e s f g i)
 *   BENCH_VIEWERS=200 pnpm bench                 a smaller audience
 *   BENCH_PIN=1 pnpm bench                       server on CPU 0, load generators on the others
 *   pnpm bench soak [--minutes 5 --viewers 500 --rooms 50]   the soak (opt-in, bench/scenarios/soak.ts)
 *   pnpm bench abuse [--viewers 200 --flood 60 --hog 10 --storm 10]
 *                                                one hostile IP vs 200 viewers (bench/scenarios/abuse.ts)
 */
import os from "node:os";
import type { Context, Row, ScenarioResult } from "./lib/context.ts";
import { describe, pin, placement } from "./lib/pinning.ts";
import { readSettings, type ScenarioId } from "./lib/settings.ts";
import { table } from "./lib/stats.ts";
import { closeAll, exitAll, startSwarms } from "./lib/swarms.ts";
import { startTokenUpstream } from "./lib/token-upstream.ts";
import { abuse } from "./scenarios/abuse.ts";
import { lateJoin } from "./scenarios/late-join.ts";
import { manyRooms } from "./scenarios/many-rooms.ts";
import { latencyOneNode, latencyTwoNodes } from "./scenarios/latency.ts";
import { idleMemory } from "./scenarios/memory.ts";
import { redisCommands } from "./scenarios/redis-commands.ts";
import { saturation } from "./scenarios/saturation.ts";
import { soak } from "./scenarios/soak.ts";
import { sseMemory } from "./scenarios/sse-memory.ts";

const SCENARIOS: Record<ScenarioId, (ctx: Context) => Promise<ScenarioResult>> = {
  a1: latencyOneNode,
  a2: latencyTwoNodes,
  b: saturation,
  c: idleMemory,
  d: lateJoin,
  e: redisCommands,
  s: sseMemory,
  f: (ctx) => latencyOneNode(atScale(ctx), "f"),
  g: (ctx) => latencyTwoNodes(atScale(ctx), "g"),
  i: manyRooms,
  h: (ctx) => import("./scenarios/join-storm.ts").then((m) => m.joinStorm(ctx)),
};

/** (f) and (g): (a1) and (a2) with BENCH_SCALE_VIEWERS light viewers (bench/lib/light-viewer.ts). */
function atScale(ctx: Context): Context {
  return { ...ctx, settings: { ...ctx.settings, viewers: ctx.settings.scaleViewers, light: true } };
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const date = new Date().toISOString().slice(0, 10);
  const memory = `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
  return `${cpu}, ${os.cpus().length} cores, ${memory}, Node ${process.version}, ${date}`;
}

/**
 * A scenario that threw: a row saying so, so that the scenarios measured before it are still
 * printed; its viewers are closed for the next one.
 */
async function failed(ctx: Context, id: ScenarioId, error: unknown): Promise<ScenarioResult> {
  console.error(`[bench] ${id} failed:`, error);
  await closeAll(ctx.swarms);
  return { rows: [[`(${id})`, "FAILED", error instanceof Error ? error.message : String(error)]], diagnostics: [] };
}

async function main(): Promise<void> {
  const settings = readSettings();
  const where = placement(settings.pin);
  // The upstream (this process) counts as load: it shares the load generators' CPUs.
  if (where.load) pin(process.pid, where.load);
  const upstream = await startTokenUpstream({ tokens: 1, tokensPerSecond: 1 });
  const swarms = await startSwarms(settings.swarms, where.load);
  const ctx: Context = { settings, placement: where, upstream, swarms };
  console.log(`Machine: ${machine()}`);
  console.log(
    `Audience: ${settings.viewers} viewers in ${settings.swarms} load-generator processes; ${describe(where)}\n`,
  );
  const rows: Row[] = [];
  const diagnostics: Row[] = [];
  try {
    for (const id of settings.scenarios) {
      const started = Date.now();
      const result = await SCENARIOS[id](ctx).catch((error: unknown) => failed(ctx, id, error));
      rows.push(...result.rows);
      diagnostics.push(...result.diagnostics);
      console.error(`[bench] ${id} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    exitAll(swarms);
    await upstream.close();
  }
  console.log(table(["scenario", "result", "detail"], rows));
  if (diagnostics.length > 0)
    console.log(`\nWhere the time goes:\n\n${table(["run", "what", "measured"], diagnostics)}`);
  process.exit(0);
}

if (process.argv[2] === "soak") {
  await soak(process.argv.slice(3));
  process.exit(0);
} else if (process.argv[2] === "abuse") {
  await abuse(process.argv.slice(3));
  process.exit(0);
} else {
  await main();
}
