/**
 * (i) many rooms on one node: ROOMS rooms × VIEWERS_PER_ROOM light viewers, every room's answer
 * streaming at once, at saturation as in (b) (a burst per room, COALESCE_MS=0, one token per
 * delta). Then the raw `ws` relay (client.send per viewer) delivers as many messages to the same
 * viewers: one room's recorded frames, each to every viewer (frames × all viewers = rooms ×
 * frames × viewers per room). Rate = deliveries in the window holding the middle 80% of them.
 */
import { ask } from "../lib/asker.ts";
import { NODE_ENV, type Context, type ScenarioResult } from "../lib/context.ts";
import { describeJoins, describeProbe, describeSwarms } from "../lib/diagnostics.ts";
import type { ProbeStats } from "../lib/node-probe.mjs";
import { startBenchNode } from "../lib/nodes.ts";
import { produce, startRelay } from "../lib/relay.ts";
import { all, allEnded, closeAll, merge, shares, type Audience, type SwarmProcess } from "../lib/swarms.ts";
import { formatLatency, summarizeHistogram } from "../lib/stats.ts";
import { TOKEN_CHARS, type TokenPlan } from "../lib/token-upstream.ts";
import { deliveryRate } from "./saturation.ts";

const ROOMS = Number(process.env.BENCH_ROOMS ?? 100);
const VIEWERS_PER_ROOM = Number(process.env.BENCH_VIEWERS_PER_ROOM ?? 50);
/** Tokens per room's answer: ROOMS × VIEWERS_PER_ROOM × this = deliveries (1,000,000 at the defaults). */
const TOKENS_PER_ROOM = Number(process.env.BENCH_ROOM_TOKENS ?? 200);
/**
 * BENCH_ROOM_RATE=50: instead of the saturation run, every room's answer paced at this many tokens
 * a second with the node's default coalescing (adaptive windows): what the node-wide broadcast budget
 * does to the loop and to token → viewer delays when many rooms stream at once. No relay run.
 */
const PACED_RATE = process.env.BENCH_ROOM_RATE ? Number(process.env.BENCH_ROOM_RATE) : undefined;

interface Measured {
  audience: Audience;
  server: ProbeStats;
}

/** Room r goes to swarm r % swarms; each swarm waits for each of its rooms' viewers to be in. */
async function joinRooms(swarms: SwarmProcess[], url: string): Promise<void> {
  const roomsOf = shares(ROOMS, swarms.length);
  await all(swarms, async (s, i) => {
    for (let r = 0; r < roomsOf[i]!; r++)
      s.send({ type: "sio", url, roomId: `rooms-${i}-${r}`, count: VIEWERS_PER_ROOM, record: r === 0, light: true });
    for (let r = 0; r < roomsOf[i]!; r++) await s.wait("ready");
  });
}

async function collect(swarms: SwarmProcess[], probe: () => Promise<ProbeStats>): Promise<Measured> {
  await allEnded(swarms);
  const server = await probe();
  const audience = merge(await all(swarms, (s) => s.report()));
  await closeAll(swarms);
  return { audience, server };
}

/** The node's settings and every room's answer for one run. */
interface RoomsRun {
  env: Record<string, string | undefined>;
  plan: TokenPlan;
}

const SATURATION: RoomsRun = {
  env: { COALESCE_MS: "0", COALESCE_MAX_CHARS: String(TOKEN_CHARS) },
  plan: { tokens: TOKENS_PER_ROOM, tokensPerSecond: 1_000_000, burst: TOKENS_PER_ROOM },
};

async function tokencast(ctx: Context, run = SATURATION): Promise<Measured & { frames: string[] }> {
  const node = await startBenchNode({ ...run.env, LLM_BASE_URL: ctx.upstream.url }, ctx.placement);
  try {
    await joinRooms(ctx.swarms, node.url);
    for (const s of ctx.swarms) s.send({ type: "reset" });
    await node.probeReset();
    ctx.upstream.plan = run.plan;
    const roomsOf = shares(ROOMS, ctx.swarms.length);
    const rooms = roomsOf.flatMap((n, i) => Array.from({ length: n }, (_, r) => `rooms-${i}-${r}`));
    await Promise.all(rooms.map((roomId) => ask(node.url, roomId)));
    const measured = await collect(ctx.swarms, () => node.probe());
    return { ...measured, frames: measured.audience.reports[0]?.frames ?? [] };
  } finally {
    await node.stop();
  }
}

async function relay(ctx: Context, frames: string[]): Promise<Measured> {
  const relay = await startRelay(ctx.placement.server, "naive");
  try {
    const counts = shares(ROOMS * VIEWERS_PER_ROOM, ctx.swarms.length);
    await all(ctx.swarms, async (s, i) => {
      s.send({ type: "ws", url: relay.url, count: counts[i]! });
      await s.wait("ready");
    });
    for (const s of ctx.swarms) s.send({ type: "reset" });
    relay.probeReset();
    await produce(relay, frames);
    return await collect(ctx.swarms, () => relay.probe());
  } finally {
    await relay.stop();
  }
}

/** Every room's answer at PACED_RATE with the default (adaptive) coalescing. */
async function paced(ctx: Context, rate: number): Promise<ScenarioResult> {
  const plan = { tokens: TOKENS_PER_ROOM, tokensPerSecond: rate };
  const tc = await tokencast(ctx, { env: { ...NODE_ENV }, plan });
  const { audience } = tc;
  const perViewer = audience.deltas / (ROOMS * VIEWERS_PER_ROOM);
  const window = (TOKENS_PER_ROOM / rate) * (1000 / perViewer);
  const label = `(i) ${ROOMS} rooms × ${VIEWERS_PER_ROOM} viewers all streaming at ${rate} tok/s, one node`;
  const detail =
    `${summarizeHistogram(audience.delays).n} of ${ROOMS * VIEWERS_PER_ROOM * TOKENS_PER_ROOM} token deliveries; ` +
    `${perViewer.toFixed(0)} deltas per viewer (effective window ${window.toFixed(0)} ms); ` +
    `${audience.gaps} seq gaps, ${audience.mismatches} texts differ; ` +
    `viewers: ${describeJoins(audience) || "every viewer in"}`;
  return {
    rows: [[label, formatLatency(summarizeHistogram(audience.delays)), detail]],
    diagnostics: [
      ["i paced", "server", describeProbe(tc.server)],
      ["i paced", "load generators", describeSwarms(audience)],
    ],
  };
}

export async function manyRooms(ctx: Context): Promise<ScenarioResult> {
  if (PACED_RATE !== undefined) return paced(ctx, PACED_RATE);
  const tc = await tokencast(ctx);
  if (tc.frames.length < 2) throw new Error("(i): the recording viewer saw no deltas");
  const floor = await relay(ctx, tc.frames);
  const [tcRate, floorRate] = [tc, floor].map((m) => deliveryRate(m.audience.buckets));
  const expected = ROOMS * VIEWERS_PER_ROOM * TOKENS_PER_ROOM;
  const k = (v: number) => `${(v / 1000).toFixed(1)}k/s`;
  const label = `(i) deliveries/s, ${ROOMS} rooms × ${VIEWERS_PER_ROOM} viewers all streaming, one node`;
  const { gaps, mismatches } = tc.audience;
  const viewers = (a: Audience) => describeJoins(a) || "every viewer in";
  return {
    rows: [
      [
        `${label}: Tokencast (one token per delta)`,
        k(tcRate!.perSecond),
        `${tc.audience.deltas} of ${expected} deliveries, ${gaps} seq gaps, ${mismatches} texts differ, ` +
          `viewers: ${viewers(tc.audience)}; ` +
          `window ${(tcRate!.windowMs / 1000).toFixed(2)} s`,
      ],
      [
        `↳ raw ws relay (client.send), the same number of deliveries to the same viewers`,
        k(floorRate!.perSecond),
        `${floor.audience.deltas} deliveries, viewers: ${viewers(floor.audience)}; ` +
          `window ${(floorRate!.windowMs / 1000).toFixed(2)} s`,
      ],
      [`(i) ratio Tokencast / raw ws (goal ≥ 1.0)`, (tcRate!.perSecond / floorRate!.perSecond).toFixed(2), ""],
    ],
    diagnostics: [
      ["i Tokencast", "server", describeProbe(tc.server)],
      ["i Tokencast", "load generators", describeSwarms(tc.audience)],
      ["i ws client.send", "relay", describeProbe(floor.server)],
      ["i ws client.send", "load generators", describeSwarms(floor.audience)],
    ],
  };
}
