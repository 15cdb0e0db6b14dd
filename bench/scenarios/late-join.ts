/** (d) late join: room:join → ack carrying the snapshot of an answer with 10,000 tokens so far (still streaming). */
import { io } from "socket.io-client";
import { waitFor } from "../../tests/helpers/wait.ts";
import { joinedSocket } from "../lib/asker.ts";
import { epochMs } from "../lib/clock.ts";
import { NODE_ENV, type Context, type ScenarioResult } from "../lib/context.ts";
import { startBenchNode } from "../lib/nodes.ts";
import { summarize } from "../lib/stats.ts";

const TOKENS = 10_000;
const JOINS = 30;

interface JoinAck {
  ok: boolean;
  messages: Array<{ text: string }>;
}

async function tokensSoFar(url: string, roomId: string): Promise<number> {
  const probe = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  try {
    const ack = (await probe.timeout(10_000).emitWithAck("room:join", { roomId, name: "probe" })) as JoinAck;
    return (ack.messages.at(-1)?.text ?? "").split("<t>").length - 1;
  } finally {
    probe.close();
  }
}

async function timeJoin(url: string, roomId: string, i: number): Promise<{ ms: number; bytes: number }> {
  const late = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  await new Promise<void>((resolve) => late.on("connect", () => resolve()));
  const start = epochMs();
  const ack = (await late.timeout(10_000).emitWithAck("room:join", { roomId, name: `late-${i}` })) as JoinAck;
  const ms = epochMs() - start;
  late.close();
  return { ms, bytes: ack.messages.at(-1)?.text.length ?? 0 };
}

export async function lateJoin(ctx: Context): Promise<ScenarioResult> {
  const node = await startBenchNode({ ...NODE_ENV, LLM_BASE_URL: ctx.upstream.url }, ctx.placement);
  ctx.upstream.plan = { tokens: TOKENS, tokensPerSecond: 1000, burst: TOKENS, hold: true };
  const roomId = "late-join";
  const asker = await joinedSocket(node.url, roomId, "asker");
  try {
    await asker.timeout(10_000).emitWithAck("chat:send", { roomId, text: "long" });
    await waitFor(async () => (await tokensSoFar(node.url, roomId)) >= TOKENS, {
      timeoutMs: 60_000,
      what: "10,000 tokens in the answer",
    });
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < JOINS; i++) {
      const join = await timeJoin(node.url, roomId, i);
      times.push(join.ms);
      bytes = join.bytes;
    }
    const s = summarize(times);
    return {
      rows: [
        [
          `(d) late join into a 10,000-token answer in progress`,
          `p50 ${s.p50.toFixed(1)} ms / p99 ${s.p99.toFixed(1)} ms`,
          `${s.n} joins; snapshot ${(bytes / 1024).toFixed(0)} KiB of text`,
        ],
      ],
      diagnostics: [],
    };
  } finally {
    ctx.upstream.release();
    asker.close();
    await node.stop();
  }
}
