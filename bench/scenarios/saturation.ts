/**
 * (b) viewer deliveries per second at saturation, one node, beside a raw `ws` relay.
 *
 * Saturation: the upstream writes a burst of BURST_TOKENS at once and the node runs with
 * COALESCE_MS=0 and COALESCE_MAX_CHARS = one token, so every token becomes its own delta as fast
 * as the node can send them (no timer, no batching in the way); each delta goes to every viewer
 * (the asker's socket is one more: 1,001 receivers, +0.1%). The same load-generator processes then watch the raw relay,
 * which is fed the very frames Socket.IO sent (recorded by one viewer): same number of messages,
 * same bytes, same clients, same decoding (`42` + JSON.parse). Rate = deliveries counted at the
 * viewers in the window holding the middle 80% of them (ramp-up and drain left out).
 */
import { joinAsker, sleep } from "../lib/asker.ts";
import type { Context, Row, ScenarioResult } from "../lib/context.ts";
import { describeMachine, describeProbe, describeSwarms, sumCores } from "../lib/diagnostics.ts";
import { machineLoad } from "../lib/machine-load.ts";
import type { ProbeStats } from "../lib/node-probe.mjs";
import { startBenchNode } from "../lib/nodes.ts";
import { BUCKET_MS } from "../lib/recorder.ts";
import { produce, startRelay, type RelayMode } from "../lib/relay.ts";
import { TOKEN_CHARS } from "../lib/token-upstream.ts";
import { all, closeAll, merge, shares, type Audience, type SwarmProcess } from "../lib/swarms.ts";

/** About a million deliveries per measurement (BENCH_BURST_TOKENS overrides). */
const burstTokens = (viewers: number) =>
  Number(process.env.BENCH_BURST_TOKENS ?? Math.min(5000, Math.max(1000, Math.round(1e6 / viewers))));
const SETTLE_MS = 500;
/** The window: from the time WINDOW_FROM of the deliveries had arrived to the time WINDOW_TO had. */
const WINDOW_FROM = 0.1;
const WINDOW_TO = 0.9;

interface Rate {
  perSecond: number;
  windowMs: number;
}

/** Deliveries per second over the window holding the middle 80% of all deliveries. */
export function deliveryRate(buckets: Map<number, number>): Rate {
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  let seen = 0;
  let from: { bucket: number; seen: number } | undefined;
  for (const [bucket, n] of sorted) {
    seen += n;
    from ??= seen >= total * WINDOW_FROM ? { bucket, seen } : undefined;
    if (from && seen >= total * WINDOW_TO) {
      const windowMs = Math.max(BUCKET_MS, (bucket - from.bucket) * BUCKET_MS);
      return { perSecond: ((seen - from.seen) / windowMs) * 1000, windowMs };
    }
  }
  return { perSecond: Number.NaN, windowMs: 0 };
}

interface Measured {
  audience: Audience;
  server: ProbeStats;
  machineCores: number;
}

async function connect(
  swarms: SwarmProcess[],
  viewers: number,
  command: (i: number, count: number) => Parameters<SwarmProcess["send"]>[0],
) {
  const counts = shares(viewers, swarms.length);
  await all(swarms, async (s, i) => {
    s.send(command(i, counts[i]!));
    await s.wait("ready");
  });
  await sleep(SETTLE_MS);
  for (const s of swarms) s.send({ type: "reset" });
}

/** Waits for every chat:end; probes the server (before the viewers leave) and collects the audience. */
async function collect(
  swarms: SwarmProcess[],
  load: () => number,
  probe: () => Promise<ProbeStats>,
): Promise<Measured> {
  await all(swarms, (s) => s.wait("ended"));
  const machineCores = load();
  const server = await probe();
  const reports = await all(swarms, (s) => s.report());
  await closeAll(swarms);
  return { audience: merge(reports), server, machineCores };
}

async function tokencast(ctx: Context): Promise<Measured & { frames: string[] }> {
  const env = { COALESCE_MS: "0", COALESCE_MAX_CHARS: String(TOKEN_CHARS), LLM_BASE_URL: ctx.upstream.url };
  const node = await startBenchNode(env, ctx.placement);
  const roomId = "saturation";
  const asker = await joinAsker(node.url, roomId);
  try {
    await connect(ctx.swarms, ctx.settings.viewers, (i, count) => ({
      type: "sio",
      url: node.url,
      roomId,
      count,
      record: i === 0,
    }));
    await node.probeReset();
    const load = machineLoad();
    const tokens = burstTokens(ctx.settings.viewers);
    ctx.upstream.plan = { tokens, tokensPerSecond: 1_000_000, burst: tokens };
    await asker.ask();
    const measured = await collect(ctx.swarms, load, () => node.probe());
    return { ...measured, frames: measured.audience.reports[0]?.frames ?? [] };
  } finally {
    asker.close();
    await node.stop();
  }
}

async function rawWs(ctx: Context, frames: string[], mode: RelayMode): Promise<Measured> {
  const relay = await startRelay(ctx.placement.server, mode);
  try {
    await connect(ctx.swarms, ctx.settings.viewers, (_i, count) => ({ type: "ws", url: relay.url, count }));
    relay.probeReset();
    const load = machineLoad();
    await produce(relay, frames);
    return await collect(ctx.swarms, load, () => relay.probe());
  } finally {
    await relay.stop();
  }
}

function diagnostics(label: string, m: Measured): Row[] {
  const ours = sumCores([m.server, ...m.audience.reports.map((r) => r.probe)]);
  const sum = (f: (p: ProbeStats) => number) => m.audience.reports.reduce((total, r) => total + f(r.probe), 0);
  const perDelivery = (v: number) => (v / m.audience.deltas).toFixed(v / m.audience.deltas < 10 ? 2 : 1);
  return [
    [label, "server process", describeProbe(m.server)],
    [
      label,
      "server per delivery",
      `${perDelivery(m.server.cpuMs * 1000)} µs CPU, ${perDelivery(m.server.writeSyscalls)} write syscalls`,
    ],
    [label, "load generators", describeSwarms(m.audience)],
    [
      label,
      "load generators per delivery",
      `${perDelivery(sum((p) => p.cpuMs) * 1000)} µs CPU, ${perDelivery(sum((p) => p.readSyscalls))} read syscalls`,
    ],
    [label, "machine", describeMachine(m.machineCores, ours)],
  ];
}

export async function saturation(ctx: Context): Promise<ScenarioResult> {
  const { viewers } = ctx.settings;
  const tc = await tokencast(ctx);
  const deltas = tc.frames.length - 1;
  if (deltas < 1) throw new Error("(b): the recording viewer saw no deltas");
  const naive = await rawWs(ctx, tc.frames, "naive");
  const preframed = await rawWs(ctx, tc.frames, "preframed");
  const [tcRate, naiveRate, preRate] = [tc, naive, preframed].map((m) => deliveryRate(m.audience.buckets)) as [
    Rate,
    Rate,
    Rate,
  ];
  const frameBytes = tc.frames.slice(0, -1).reduce((sum, f) => sum + Buffer.byteLength(f), 0) / deltas;
  const detail = (m: Measured, rate: Rate) =>
    `${m.audience.deltas} of ${deltas * viewers} deliveries; window ${(rate.windowMs / 1000).toFixed(2)} s`;
  const label = `(b) deliveries/s at saturation, 1 room, ${viewers} viewers, one node`;
  const k = (v: number) => `${(v / 1000).toFixed(1)}k/s`;
  const ratio = (r: Rate) => (tcRate.perSecond / r.perSecond).toFixed(2);
  return {
    rows: [
      [
        `${label}: Tokencast (one token per delta)`,
        k(tcRate.perSecond),
        `${detail(tc, tcRate)}; ${deltas} deltas, ${frameBytes.toFixed(0)} B frames ` +
          `(burst of ${burstTokens(viewers)} tokens)`,
      ],
      [
        `${label}: raw ws relay, same frames (client.send per viewer)`,
        k(naiveRate.perSecond),
        detail(naive, naiveRate),
      ],
      [`${label}: raw ws relay, same frames, frame built once`, k(preRate.perSecond), detail(preframed, preRate)],
      [
        `(b) ratio Tokencast / raw ws (target ≥ 0.5)`,
        `${ratio(naiveRate)} / ${ratio(preRate)}`,
        "against client.send / frame built once; same bytes, same client processes and viewers, same run",
      ],
    ],
    diagnostics: [
      ...diagnostics("b Tokencast", tc),
      ...diagnostics("b ws client.send", naive),
      ...diagnostics("b ws frame once", preframed),
    ],
  };
}
