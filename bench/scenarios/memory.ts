/**
 * (c) server memory per idle viewer: a fresh node first takes WARM_UP_VIEWERS (so one-time costs —
 * code compiled on first use, heap sizing — are paid), then the measured audience joins the same
 * room; per viewer = growth between the two / audience. RSS is what the OS sees; the V8 heap is
 * measured after a full GC (the node runs with --expose-gc).
 */
import { sleep } from "../lib/asker.ts";
import { NODE_ENV, type Context, type ScenarioResult } from "../lib/context.ts";
import type { ProbeStats } from "../lib/node-probe.mjs";
import { startBenchNode, type BenchNode } from "../lib/nodes.ts";
import { all, closeAll, shares, type SwarmProcess } from "../lib/swarms.ts";

const WARM_UP_VIEWERS = 200;
const IDLE_MS = 2000;

async function join(swarms: SwarmProcess[], node: BenchNode, roomId: string, total: number): Promise<ProbeStats> {
  const counts = shares(total, swarms.length);
  await all(swarms, async (s, i) => {
    if (counts[i]! === 0) return;
    s.send({ type: "sio", url: node.url, roomId, count: counts[i]! });
    await s.wait("ready");
  });
  await sleep(IDLE_MS);
  return node.probe();
}

export async function idleMemory(ctx: Context): Promise<ScenarioResult> {
  const { swarms, settings } = ctx;
  const node = await startBenchNode({ ...NODE_ENV, LLM_BASE_URL: ctx.upstream.url }, ctx.placement, "--expose-gc");
  try {
    const fresh = await node.probe();
    const before = await join(swarms, node, "idle-room", WARM_UP_VIEWERS);
    const after = await join(swarms, node, "idle-room", settings.viewers);
    await closeAll(swarms);
    const per = (f: (p: ProbeStats) => number) => (f(after) - f(before)) / settings.viewers;
    return {
      rows: [
        [
          `(c) memory per idle joined viewer (${settings.viewers}, after ${WARM_UP_VIEWERS} warm-up viewers)`,
          `${per((p) => p.rssKb).toFixed(1)} KB RSS (${per((p) => p.heapUsedKb).toFixed(1)} KB V8 heap)`,
          `node RSS ${fresh.rssKb} (fresh) → ${before.rssKb} → ${after.rssKb} KB; ` +
            `heap after GC ${before.heapUsedKb} → ${after.heapUsedKb} KB`,
        ],
      ],
      diagnostics: [],
    };
  } finally {
    await node.stop();
  }
}
