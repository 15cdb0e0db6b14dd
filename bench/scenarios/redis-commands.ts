/**
 * (e) Redis commands per delta batch, two nodes sharing a private redis-server, for a small and
 * a large audience (half on each node; the asker, a member of the room, on node A). Counts come
 * from INFO commandstats (reset with CONFIG RESETSTAT) around one answer of a known number of
 * deltas; MONITOR splits them into commands the nodes send (round trips) and commands their Lua
 * scripts run inside Redis. The background of an idle window of the same audience (heartbeats,
 * lease renewals…) is shown apart. Target: the same per-delta figure whatever the audience.
 */
import { joinAsker, sleep } from "../lib/asker.ts";
import { NODE_ENV, type Context, type Row, type ScenarioResult } from "../lib/context.ts";
import { startTwoNodes } from "../lib/nodes.ts";
import { commandCounts, monitor, resetStats } from "../lib/redis-stats.ts";
import { all, closeAll, merge, shares } from "../lib/swarms.ts";

const TOKENS = 300;
const TOKENS_PER_SECOND = 100;
const SETTLE_MS = 1000;
const IDLE_MS = 2000;
/** Lets the last MONITOR lines arrive (counted in the window). */
const DRAIN_MS = 200;

interface Count {
  viewers: number;
  deltas: number;
  answerMs: number;
  answer: Map<string, number>;
  sent: Map<string, number>;
  scripted: Map<string, number>;
  /** Commands per second with the audience joined and no answer streaming. */
  idlePerSecond: number;
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

async function countFor(ctx: Context, viewers: number): Promise<Count> {
  const cluster = await startTwoNodes({ ...NODE_ENV, LLM_BASE_URL: ctx.upstream.url }, ctx.placement);
  const roomId = `redis-${viewers}`;
  const asker = await joinAsker(cluster.a.url, roomId);
  try {
    const counts = shares(viewers, ctx.swarms.length);
    const active = ctx.swarms.filter((_, i) => counts[i]! > 0);
    await all(active, async (s, i) => {
      s.send({ type: "sio", url: (i % 2 === 0 ? cluster.a : cluster.b).url, roomId, count: counts[i]! });
      await s.wait("ready");
    });
    await sleep(SETTLE_MS);
    const { port } = cluster.redis;
    await resetStats(port);
    await sleep(IDLE_MS);
    const idle = total(await commandCounts(port));
    ctx.upstream.plan = { tokens: TOKENS, tokensPerSecond: TOKENS_PER_SECOND };
    const watch = await monitor(port);
    await resetStats(port);
    const started = performance.now();
    await asker.ask();
    await all(active, (s) => s.wait("ended"));
    await sleep(DRAIN_MS);
    const answer = await commandCounts(port);
    const { clients: sent, scripts: scripted } = watch.stop();
    const answerMs = performance.now() - started;
    const audience = merge(await all(active, (s) => s.report()));
    await closeAll(active);
    return {
      viewers,
      deltas: audience.seqs.size,
      answerMs,
      answer,
      sent,
      scripted,
      idlePerSecond: (idle / IDLE_MS) * 1000,
    };
  } finally {
    asker.close();
    await cluster.stop();
  }
}

function perDelta(counts: Map<string, number>, deltas: number): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, calls]) => `${name} ${(calls / deltas).toFixed(2)}`)
    .join(", ");
}

function rows(c: Count): Row[] {
  const all = total(c.answer);
  const background = (c.idlePerSecond * c.answerMs) / 1000;
  const per = (n: number) => (n / c.deltas).toFixed(2);
  return [
    [
      `(e) Redis commands per delta, two nodes, ${c.viewers} viewers`,
      `${per(all)} per delta (${per(total(c.sent))} sent by the nodes)`,
      `${all} commands for ${c.deltas} deltas (one answer of ${TOKENS} tokens at ${TOKENS_PER_SECOND} tok/s, ` +
        `${(c.answerMs / 1000).toFixed(1)} s, incl. send, end and lease renewals); ` +
        `idle background ${c.idlePerSecond.toFixed(1)}/s ≈ ${background.toFixed(0)} over the answer, ` +
        `${per(all - background)} per delta without it`,
    ],
    [`↳ sent by the nodes, per delta (${c.viewers} viewers)`, per(total(c.sent)), perDelta(c.sent, c.deltas)],
    [
      `↳ run inside Lua scripts, per delta (${c.viewers} viewers)`,
      per(total(c.scripted)),
      perDelta(c.scripted, c.deltas),
    ],
  ];
}

export async function redisCommands(ctx: Context): Promise<ScenarioResult> {
  const sizes = [...new Set([10, ctx.settings.viewers])];
  const result: ScenarioResult = { rows: [], diagnostics: [] };
  for (const viewers of sizes) result.rows.push(...rows(await countFor(ctx, viewers)));
  return result;
}
