/**
 * (s) server memory per idle SSE viewer against per idle Socket.IO viewer (issue 12): for each
 * kind a fresh node (`--expose-gc`) takes WARM_UP_VIEWERS of that kind (one-time costs paid), then
 * BENCH_VIEWERS more join the same room; per viewer = growth between the two / viewers. SSE
 * viewers are opened from this process, Socket.IO viewers by the load generators.
 */
import { sleep } from "../lib/asker.ts";
import { NODE_ENV, type Context, type Row, type ScenarioResult } from "../lib/context.ts";
import type { ProbeStats } from "../lib/node-probe.mjs";
import { startBenchNode, type BenchNode } from "../lib/nodes.ts";
import { openSseViewers, type SseViewers } from "../lib/sse-viewers.ts";
import { all, closeAll, shares } from "../lib/swarms.ts";

const WARM_UP_VIEWERS = 100;
const IDLE_MS = 2000;
const ROOM = "sse-memory";
/** Every viewer comes from this process's address: no per-IP budget may refuse one. */
const UNLIMITED = {
  RATE_HTTP_PER_IP: "1000000",
  RATE_EVENTS_PER_IP: "1000000",
  RATE_BYTES_PER_IP: String(2 ** 40),
  MAX_MEMBERS_PER_IP_PER_ROOM: "0",
};

type Opener = (node: BenchNode, count: number) => Promise<void>;

interface KindResult {
  rssKb: number;
  heapKb: number;
  detail: string;
}

async function measure(ctx: Context, open: Opener): Promise<KindResult> {
  const env = { ...NODE_ENV, ...UNLIMITED, LLM_BASE_URL: ctx.upstream.url };
  const node = await startBenchNode(env, ctx.placement, "--expose-gc");
  try {
    const settle = async (): Promise<ProbeStats> => (await sleep(IDLE_MS), node.probe());
    await open(node, WARM_UP_VIEWERS);
    const before = await settle();
    await open(node, ctx.settings.viewers);
    const after = await settle();
    const per = (f: (p: ProbeStats) => number) => (f(after) - f(before)) / ctx.settings.viewers;
    const heap = `heap after GC ${before.heapUsedKb} → ${after.heapUsedKb} KB`;
    const detail = `RSS ${before.rssKb} → ${after.rssKb} KB; ${heap}`;
    return { rssKb: per((p) => p.rssKb), heapKb: per((p) => p.heapUsedKb), detail };
  } finally {
    await node.stop();
  }
}

export async function sseMemory(ctx: Context): Promise<ScenarioResult> {
  const sse: SseViewers[] = [];
  const openSse: Opener = async (node, count) => void sse.push(await openSseViewers(node.url, ROOM, count));
  const openSio: Opener = (node, count) => joinSio(ctx, node, count);
  let sseResult: KindResult;
  try {
    sseResult = await measure(ctx, openSse);
  } finally {
    sse.forEach((viewers) => viewers.close());
  }
  const sioResult = await measure(ctx, openSio).finally(() => closeAll(ctx.swarms));
  const rows = [row("SSE", sseResult, ctx), row("Socket.IO", sioResult, ctx), ratio(sseResult, sioResult)];
  return { rows, diagnostics: [] };
}

async function joinSio(ctx: Context, node: BenchNode, total: number): Promise<void> {
  const counts = shares(total, ctx.swarms.length);
  await all(ctx.swarms, async (s, i) => {
    if (counts[i]! === 0) return;
    s.send({ type: "sio", url: node.url, roomId: ROOM, count: counts[i]! });
    await s.wait("ready");
  });
}

function row(kind: string, result: KindResult, ctx: Context): Row {
  const what = `(s) memory per idle ${kind} viewer (${ctx.settings.viewers}, after ${WARM_UP_VIEWERS} warm-up)`;
  return [what, `${result.rssKb.toFixed(1)} KB RSS (${result.heapKb.toFixed(1)} KB V8 heap)`, result.detail];
}

function ratio(sse: KindResult, sio: KindResult): Row {
  const times = (a: number, b: number) => (a / b).toFixed(2);
  const [rss, heap] = [times(sse.rssKb, sio.rssKb), times(sse.heapKb, sio.heapKb)];
  return ["(s) SSE viewer ÷ Socket.IO viewer", `${rss}× RSS`, `${heap}× V8 heap`];
}
