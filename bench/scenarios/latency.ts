/**
 * (a) upstream token → viewer delay for one room with the whole audience: a1 on one node, a2 on
 * two nodes through Redis (asker and half the viewers on node A, half on node B).
 */
import { ask, joinAsker, sleep } from "../lib/asker.ts";
import { NODE_ENV, type Context, type Row, type ScenarioResult } from "../lib/context.ts";
import {
  deltaTimings,
  describeJoins,
  describeMachine,
  describeProbe,
  describeSwarms,
  sumCores,
} from "../lib/diagnostics.ts";
import { machineLoad } from "../lib/machine-load.ts";
import type { ProbeStats } from "../lib/node-probe.mjs";
import { startBenchNode, startTwoNodes, type BenchNode } from "../lib/nodes.ts";
import type { TokenPlan } from "../lib/token-upstream.ts";
import { replayPaced, startRelay } from "../lib/relay.ts";
import { formatLatency, summarizeHistogram } from "../lib/stats.ts";
import { dumpSeqs } from "../lib/dump.ts";
import { all, allEnded, closeAll, merge, shares, type Audience, type SwarmProcess } from "../lib/swarms.ts";

/** Lets the throttled presence broadcasts of the joins go out before measuring. */
const SETTLE_MS = 500;
const WARM_UP: TokenPlan = { tokens: 200, tokensPerSecond: 200 };

interface Run {
  /** Busy cores machine-wide during the answer (all processes, ours and others). */
  machineCores: number;
  /** Probe windows of the nodes, in node order (from just before the question to the last chat:end). */
  servers: ProbeStats[];
  all: Audience;
  /** Audience per node, in node order. */
  perNode: Audience[];
}

/**
 * One answer watched by every swarm; swarm i watches through nodes[i % nodes.length]. The asker
 * is a member of the room before the measurement starts and leaves after it (BENCH_ASKER=fresh:
 * it joins right before asking and leaves at once, so two presence broadcasts fall inside the answer).
 */
async function watchOneAnswer(ctx: Context, nodes: BenchNode[], roomId: string, plan: TokenPlan): Promise<Run> {
  const { swarms, settings } = ctx;
  const counts = shares(settings.viewers, swarms.length);
  const nodeOf = (i: number) => nodes[i % nodes.length]!;
  const asker = settings.freshAsker ? undefined : await joinAsker(nodes[0]!.url, roomId);
  await all(swarms, async (s, i) => {
    s.send({ type: "sio", url: nodeOf(i).url, roomId, count: counts[i]!, record: i === 0, light: settings.light });
    await s.wait("ready");
  });
  await sleep(SETTLE_MS);
  if (settings.warmUp) await warmUp(ctx, () => (asker ? asker.ask("warm up") : ask(nodes[0]!.url, roomId, "warm up")));
  for (const s of swarms) s.send({ type: "reset" });
  await Promise.all(nodes.map((n) => n.probeReset()));
  const load = machineLoad();
  ctx.upstream.plan = plan;
  await (asker ? asker.ask() : ask(nodes[0]!.url, roomId));
  await allEnded(swarms);
  const machineCores = load();
  const servers = await Promise.all(nodes.map((n) => n.probe()));
  asker?.close();
  const reports = await all(swarms, (s) => s.report());
  await closeAll(swarms);
  dumpSeqs(roomId, merge(reports));
  const byNode = (n: number) => merge(reports.filter((_, i) => i % nodes.length === n));
  return { machineCores, servers, all: merge(reports), perNode: nodes.map((_, n) => byNode(n)) };
}

/**
 * A short answer to the same audience before the measured one, so that the measured answer runs
 * on warm code paths (JIT) as on a node that has served answers before.
 */
async function warmUp(ctx: Context, askQuestion: () => Promise<void>): Promise<void> {
  ctx.upstream.plan = WARM_UP;
  await askQuestion();
  await all(ctx.swarms, (s) => s.wait("ended"));
  await sleep(SETTLE_MS);
}

/** The window the node actually kept: the answer's length over the deltas a viewer got. */
function effectiveWindow(audience: Audience, viewers: number, plan: TokenPlan): number {
  return (plan.tokens / plan.tokensPerSecond) * (1000 / (audience.deltas / viewers));
}

function resultRow(label: string, audience: Audience, expected: number, viewers: number, plan: TokenPlan): Row {
  const s = summarizeHistogram(audience.delays);
  const deltas = audience.deltas / viewers;
  const window = effectiveWindow(audience, viewers, plan);
  const joins = describeJoins(audience);
  const checked =
    (audience.gaps + audience.mismatches > 0
      ? `; ${audience.gaps} seq gaps, ${audience.mismatches} texts differ`
      : "") + (joins ? `; viewers: ${joins}` : "");
  return [
    label,
    formatLatency(s),
    `${s.n} of ${expected} token deliveries; ${deltas.toFixed(0)} deltas per viewer (effective window ` +
      `${window.toFixed(0)} ms)${checked}`,
  ];
}

/**
 * Issue 13's goal (p99 ≤ effective window + 100 ms) beside what this machine allows: a token waits
 * up to a window for its batch, then the fan-out to the last viewer, which the raw relay (no wait,
 * no logic) shows at its own p99. When the floor's fan-out alone passes 100 ms, no server can meet
 * the goal here; ours is then compared with window + the relay's p99.
 */
function boundsRow(ours: Audience, floor: Audience, viewers: number, plan: TokenPlan): Row {
  const window = effectiveWindow(ours, viewers, plan);
  const p99 = summarizeHistogram(ours.delays).p99;
  const floorBound = window + summarizeHistogram(floor.delays).p99;
  return [
    `↳ p99 against the goal and the floor`,
    `goal ≤ ${(window + 100).toFixed(0)} ms (window + 100); floor ${floorBound.toFixed(0)} ms (window + relay p99)`,
    `ours p99 ${p99.toFixed(1)} ms = ${(p99 / floorBound).toFixed(2)}× the floor's bound`,
  ];
}

function diagnose(label: string, names: string[], run: Run): Row[] {
  const rows: Row[] = run.servers.map((probe, i) => [label, `server ${names[i]}`, describeProbe(probe)]);
  const ours = sumCores([...run.servers, ...run.all.reports.map((r) => r.probe)]);
  rows.push([label, "machine", describeMachine(run.machineCores, ours)]);
  rows.push([label, "load generators", describeSwarms(run.all)]);
  rows.push([label, "per delta", deltaTimings(run.all)]);
  return rows;
}

/**
 * The floor on this machine: the same delta frames sent at the same moments through the raw ws
 * relay to the same viewers (no coalescing wait, no server logic), stamped when sent.
 */
export async function relayFloor(ctx: Context, frames: string[]): Promise<Audience> {
  const relay = await startRelay(ctx.placement.server);
  try {
    const counts = shares(ctx.settings.viewers, ctx.swarms.length);
    await all(ctx.swarms, async (s, i) => {
      s.send({ type: "ws", url: relay.url, count: counts[i]! });
      await s.wait("ready");
    });
    await sleep(SETTLE_MS);
    for (const s of ctx.swarms) s.send({ type: "reset" });
    await replayPaced(relay, frames);
    await all(ctx.swarms, (s) => s.wait("ended"));
    const audience = merge(await all(ctx.swarms, (s) => s.report()));
    await closeAll(ctx.swarms);
    return audience;
  } finally {
    await relay.stop();
  }
}

/** `id`: the scenario's name in the table (a1, or f for the same at scale). */
export async function latencyOneNode(ctx: Context, id = "a1"): Promise<ScenarioResult> {
  const result: ScenarioResult = { rows: [], diagnostics: [] };
  const { viewers } = ctx.settings;
  for (const [rate, tokens] of ctx.settings.latencyRuns) {
    const node = await startBenchNode({ ...NODE_ENV, LLM_BASE_URL: ctx.upstream.url }, ctx.placement);
    try {
      const plan = { tokens, tokensPerSecond: rate };
      const run = await watchOneAnswer(ctx, [node], `latency-${rate}`, plan);
      const label = `(${id}) token → viewer delay, 1 room, ${viewers} viewers, ${rate} tok/s, one node`;
      result.rows.push(resultRow(label, run.all, tokens * viewers, viewers, plan));
      const floor = await relayFloor(ctx, run.all.reports[0]?.frames ?? []);
      result.rows.push(
        resultRow(
          `↳ floor: raw ws relay, the same frames at the same moments, same viewers`,
          floor,
          tokens * viewers,
          viewers,
          plan,
        ),
        boundsRow(run.all, floor, viewers, plan),
      );
      result.diagnostics.push(...diagnose(`${id} ${rate} tok/s`, ["node"], run));
    } finally {
      await node.stop();
    }
  }
  return result;
}

export async function latencyTwoNodes(ctx: Context, id = "a2"): Promise<ScenarioResult> {
  const result: ScenarioResult = { rows: [], diagnostics: [] };
  const { viewers } = ctx.settings;
  for (const [rate, tokens] of ctx.settings.latencyRuns) {
    const cluster = await startTwoNodes({ ...NODE_ENV, LLM_BASE_URL: ctx.upstream.url }, ctx.placement);
    try {
      const plan = { tokens, tokensPerSecond: rate };
      const run = await watchOneAnswer(ctx, [cluster.a, cluster.b], `latency-2n-${rate}`, plan).catch((error) => {
        throw new Error(`${(error as Error).message}; node A logged ${warnings(cluster.a)}; B ${warnings(cluster.b)}`);
      });
      const base = `(${id}) token → viewer delay, 1 room, ${viewers} viewers, ${rate} tok/s, two nodes + Redis`;
      result.rows.push(resultRow(base, run.all, tokens * viewers, viewers, plan));
      const half = (n: number) => countOn(ctx.swarms, viewers, n);
      result.rows.push(
        resultRow(
          `↳ ${half(0)} viewers on node A (asker's node, runs the answer)`,
          run.perNode[0]!,
          tokens * half(0),
          half(0),
          plan,
        ),
      );
      result.rows.push(
        resultRow(
          `↳ ${half(1)} viewers on node B (deltas via Redis pub/sub)`,
          run.perNode[1]!,
          tokens * half(1),
          half(1),
          plan,
        ),
      );
      result.diagnostics.push(...diagnose(`${id} ${rate} tok/s`, ["A", "B"], run));
    } finally {
      await cluster.stop();
    }
  }
  return result;
}

function countOn(swarms: SwarmProcess[], viewers: number, node: number): number {
  return shares(viewers, swarms.length)
    .filter((_, i) => i % 2 === node)
    .reduce((a, b) => a + b, 0);
}

/** What a node logged at warn level or above, by message: why a run got stuck, from the server's side. */
function warnings(node: BenchNode): string {
  const counts = new Map<string, number>();
  for (const entry of node.node.logs) {
    if (typeof entry.level === "number" && entry.level >= 40)
      counts.set(String(entry.msg), (counts.get(String(entry.msg)) ?? 0) + 1);
  }
  return counts.size === 0 ? "no warnings" : [...counts].map(([msg, n]) => `${n}× "${msg}"`).join(", ");
}
