/**
 * Benchmarks (not tests): `pnpm bench`. Starts a real server node and viewer swarms as separate
 * processes, against a timestamping upstream, and prints Markdown tables for BENCHMARKS.md.
 *
 *   pnpm bench                 all scenarios
 *   BENCH_VIEWERS=200 pnpm bench   smaller audience
 */
import { fork, execFileSync, type ChildProcess } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { startNode, type ServerNode } from "../tests/helpers/spawn-node.ts";
import { waitFor } from "../tests/helpers/wait.ts";
import { epochMs } from "./lib/clock.ts";
import { summarize, table } from "./lib/stats.ts";
import { startTokenUpstream, type TokenUpstream } from "./lib/token-upstream.ts";

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 1000);
const SWARMS = 4;
const SWARM = fileURLToPath(new URL("./lib/swarm.ts", import.meta.url));

interface Swarm {
  child: ChildProcess;
  wait(type: string): Promise<Record<string, unknown>>;
}

function startSwarm(url: string, roomId: string, count: number): Swarm {
  const child = fork(SWARM, [url, roomId, String(count)], { execArgv: ["--import", "tsx"] });
  const inbox: Array<Record<string, unknown>> = [];
  child.on("message", (m) => inbox.push(m as Record<string, unknown>));
  return {
    child,
    wait: (type) =>
      waitFor(
        () => {
          const index = inbox.findIndex((m) => m.type === type);
          return index >= 0 ? inbox.splice(index, 1)[0] : undefined;
        },
        { timeoutMs: 120_000, what: `swarm ${type}` },
      ),
  };
}

async function audience(node: ServerNode, roomId: string, total: number): Promise<Swarm[]> {
  const per = Math.ceil(total / SWARMS);
  const swarms = Array.from({ length: SWARMS }, (_, i) => startSwarm(node.url, roomId, Math.min(per, total - i * per)));
  await Promise.all(swarms.map((s) => s.wait("ready")));
  return swarms;
}

async function ask(node: ServerNode, roomId: string): Promise<void> {
  const socket = io(node.url, { transports: ["websocket"], forceNew: true });
  await socket.timeout(10_000).emitWithAck("room:join", { roomId, name: "asker" });
  const ack = await socket.timeout(10_000).emitWithAck("chat:send", { roomId, text: "go" });
  if (!ack.ok) throw new Error(JSON.stringify(ack));
  socket.close();
}

function rssKb(pid: number): number {
  return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)]).toString().trim());
}

async function latency(upstream: TokenUpstream, node: ServerNode, tokensPerSecond: number, tokens: number) {
  upstream.plan = { tokens, tokensPerSecond };
  const roomId = `latency-${tokensPerSecond}`;
  const swarms = await audience(node, roomId, VIEWERS);
  await ask(node, roomId);
  await Promise.all(swarms.map((s) => s.wait("ended")));
  const reports = await Promise.all(
    swarms.map((s) => {
      s.child.send({ type: "report" });
      return s.wait("report");
    }),
  );
  for (const s of swarms) s.child.send({ type: "exit" });
  const delays = reports.flatMap((r) => r.delays as number[]);
  const deltas = reports.reduce((sum, r) => sum + (r.deltas as number), 0) / VIEWERS;
  return { ...summarize(delays), deltasPerViewer: deltas, expected: tokens * VIEWERS };
}

async function idleMemory(node: ServerNode) {
  const before = rssKb(node.child.pid!);
  const swarms = await audience(node, "idle-room", VIEWERS);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = rssKb(node.child.pid!);
  for (const s of swarms) s.child.send({ type: "exit" });
  return { before, after, perViewerKb: (after - before) / VIEWERS };
}

async function lateJoin(upstream: TokenUpstream, node: ServerNode) {
  upstream.plan = { tokens: 10_000, tokensPerSecond: 1000, burst: 10_000, hold: true };
  const roomId = "late-join";
  const socket = io(node.url, { transports: ["websocket"], forceNew: true });
  await socket.timeout(10_000).emitWithAck("room:join", { roomId, name: "asker" });
  await socket.timeout(10_000).emitWithAck("chat:send", { roomId, text: "long" });
  let seq = 0;
  socket.on("chat:delta", (d: { seq: number }) => (seq = d.seq));
  await waitFor(async () => {
    const probe = io(node.url, { transports: ["websocket"], forceNew: true });
    const ack = await probe.timeout(10_000).emitWithAck("room:join", { roomId, name: "probe" });
    probe.close();
    return ack.messages.at(-1).text.split("<t>").length - 1 >= 10_000;
  }, { timeoutMs: 60_000, what: "10,000 tokens in the answer" });
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 30; i++) {
    const late = io(node.url, { transports: ["websocket"], forceNew: true });
    await new Promise<void>((resolve) => late.on("connect", () => resolve()));
    const start = epochMs();
    const ack = await late.timeout(10_000).emitWithAck("room:join", { roomId, name: `late-${i}` });
    times.push(epochMs() - start);
    bytes = ack.messages.at(-1).text.length;
    late.close();
  }
  upstream.release();
  socket.close();
  return { ...summarize(times), bytes, seq };
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

async function main(): Promise<void> {
  const upstream = await startTokenUpstream({ tokens: 1, tokensPerSecond: 1 });
  const node = await startNode({ LLM_BASE_URL: upstream.url, LOG_LEVEL: "info", COALESCE_MS: "30" });
  try {
    console.log(`Machine: ${machine()}\n`);
    const rows: Array<Array<string | number>> = [];
    for (const [rate, tokens] of [[50, 500], [500, 2000]] as const) {
      const r = await latency(upstream, node, rate, tokens);
      rows.push([`(a) token → viewer delay, 1 room, ${VIEWERS} viewers, ${rate} tok/s, one node`, `p50 ${r.p50.toFixed(1)} ms / p99 ${r.p99.toFixed(1)} ms (max ${r.max.toFixed(0)})`, `${r.n} of ${r.expected} token deliveries; ${r.deltasPerViewer.toFixed(0)} deltas per viewer`]);
    }
    const mem = await idleMemory(node);
    rows.push([`(c) memory per idle joined viewer (${VIEWERS})`, `${mem.perViewerKb.toFixed(1)} KB`, `node RSS ${mem.before} → ${mem.after} KB`]);
    const late = await lateJoin(upstream, node);
    rows.push([`(d) late join into a 10,000-token answer in progress`, `p50 ${late.p50.toFixed(1)} ms / p99 ${late.p99.toFixed(1)} ms`, `${late.n} joins; snapshot ${(late.bytes / 1024).toFixed(0)} KiB of text`]);
    console.log(table(["scenario", "result", "detail"], rows));
  } finally {
    await node.stop();
    await upstream.close();
  }
  process.exit(0);
}

await main();
