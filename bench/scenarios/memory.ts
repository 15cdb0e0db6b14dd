/**
 * (c) server memory per idle viewer: a fresh node first takes WARM_UP_VIEWERS (so one-time costs —
 * code compiled on first use, heap sizing — are paid), then the measured audience joins the same
 * room; per viewer = growth between the two / audience. RSS is what the OS sees; the V8 heap is
 * measured after a full GC (the node runs with --expose-gc). Then the same at BENCH_SCALE_VIEWERS
 * light viewers (light-viewer.ts) in rooms of SCALE_ROOM_SIZE: what a connection costs at scale,
 * apart from how many share a room (a join into one room of 10,000 is the join-storm part's cost).
 */
import { sleep } from "../lib/asker.ts";
import { NODE_ENV, type Context, type ScenarioResult } from "../lib/context.ts";
import type { ProbeStats } from "../lib/node-probe.mjs";
import { startBenchNode, type BenchNode } from "../lib/nodes.ts";
import { all, closeAll, shares, type SwarmProcess } from "../lib/swarms.ts";

const WARM_UP_VIEWERS = 200;
const IDLE_MS = 2000;
const SCALE_ROOM_SIZE = 500;

interface Audience {
  viewers: number;
  /** Viewers per room (the last room takes the rest). */
  roomSize: number;
  light: boolean;
}

/** Every room's viewers are shared among the load generators. */
async function join(swarms: SwarmProcess[], node: BenchNode, audience: Audience): Promise<ProbeStats> {
  const perRoom = shares(audience.viewers, Math.ceil(audience.viewers / audience.roomSize));
  await all(swarms, async (s, i) => {
    const mine = perRoom.map((n) => shares(n, swarms.length)[i]!);
    mine.forEach((count, r) => {
      if (count > 0) s.send({ type: "sio", url: node.url, roomId: `idle-${r}`, count, light: audience.light });
    });
    for (const _ of mine.filter((count) => count > 0)) await s.wait("ready");
  });
  await sleep(IDLE_MS);
  return node.probe();
}

async function measure(ctx: Context, audience: Audience): Promise<string[]> {
  const node = await startBenchNode({ ...NODE_ENV, LLM_BASE_URL: ctx.upstream.url }, ctx.placement, "--expose-gc");
  try {
    const fresh = await node.probe();
    const before = await join(ctx.swarms, node, { ...audience, viewers: WARM_UP_VIEWERS });
    const after = await join(ctx.swarms, node, audience);
    await closeAll(ctx.swarms);
    const per = (f: (p: ProbeStats) => number) => (f(after) - f(before)) / audience.viewers;
    const where = audience.light ? `light viewers, rooms of ${audience.roomSize}` : "socket.io-client, one room";
    return [
      `(c) memory per idle joined viewer (${audience.viewers}, ${where}, after ${WARM_UP_VIEWERS} warm-up viewers)`,
      `${per((p) => p.rssKb).toFixed(1)} KB RSS (${per((p) => p.heapUsedKb).toFixed(1)} KB V8 heap after GC, ` +
        `${per((p) => p.heapTotalKb).toFixed(1)} KB V8 heap held)`,
      `node RSS ${fresh.rssKb} (fresh) → ${before.rssKb} → ${after.rssKb} KB; ` +
        `heap after GC ${before.heapUsedKb} → ${after.heapUsedKb} KB, ` +
        `held ${before.heapTotalKb} → ${after.heapTotalKb} KB`,
    ];
  } finally {
    await node.stop();
  }
}

export async function idleMemory(ctx: Context): Promise<ScenarioResult> {
  const { viewers, scaleViewers } = ctx.settings;
  const rows = [await measure(ctx, { viewers, roomSize: viewers, light: false })];
  const lightRoom = Math.min(viewers, SCALE_ROOM_SIZE);
  rows.push(await measure(ctx, { viewers, roomSize: lightRoom, light: true }));
  rows.push(await measure(ctx, { viewers: scaleViewers, roomSize: SCALE_ROOM_SIZE, light: true }));
  return { rows, diagnostics: [] };
}
