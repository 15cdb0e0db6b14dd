/**
 * (h) join storm: BENCH_STORM_JOINS (5,000) viewers join one room within 10 s while its answer
 * streams (50 tok/s), each from its own client IP (TRUST_PROXY=1), from bare engine.io viewers
 * in their own processes (lib/storm-viewers.ts). Reports join ack p50/p99 (room:join → ack, and
 * scheduled start → ack with the connect), failures, how many viewers built the answer exactly
 * (snapshot + deltas + resume, against the stored answer), the presence bytes each viewer got,
 * and the node's event-loop delay over the storm.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { waitFor } from "../../tests/helpers/wait.ts";
import { joinedSocket } from "../lib/asker.ts";
import { NODE_ENV, type Context, type Row, type ScenarioResult } from "../lib/context.ts";
import type { ProbeStats } from "../lib/node-probe.mjs";
import { startBenchNode } from "../lib/nodes.ts";
import { pin } from "../lib/pinning.ts";
import { summarize } from "../lib/stats.ts";
import type { StormCommand, StormEvent, StormReport } from "../lib/storm-protocol.ts";

const STORM_VIEWERS = fileURLToPath(new URL("../lib/storm-viewers.ts", import.meta.url));
const JOINS = Number(process.env.BENCH_STORM_JOINS ?? 5_000);
const WINDOW_MS = 10_000;
/** The answer's rate (BENCH_STORM_TPS): a low one leaves the joins' own cost, without most of the fan-out. */
const TOKENS_PER_SECOND = Number(process.env.BENCH_STORM_TPS ?? 50);
/** The answer outlasts the storm by this much, so that every viewer joins while it streams. */
const ANSWER_AFTER_STORM_MS = 15_000;
const SETTLE_TIMEOUT_MS = 240_000;

class StormProcess {
  private readonly inbox: StormEvent[] = [];
  constructor(readonly child: ChildProcess) {
    child.on("message", (m) => this.inbox.push(m as StormEvent));
  }

  send(command: StormCommand): void {
    this.child.send(command);
  }

  wait<T extends StormEvent["type"]>(type: T, timeoutMs = 30_000): Promise<Extract<StormEvent, { type: T }>> {
    const take = () => {
      const index = this.inbox.findIndex((m) => m.type === type);
      return index >= 0 ? (this.inbox.splice(index, 1)[0] as Extract<StormEvent, { type: T }>) : undefined;
    };
    return waitFor(take, { timeoutMs, what: `storm ${type}` });
  }

  async report(): Promise<StormReport> {
    this.send({ type: "report" });
    return (await this.wait("report")).report;
  }
}

async function startStormProcesses(count: number, cpus?: string): Promise<StormProcess[]> {
  const processes = Array.from(
    { length: count },
    () => new StormProcess(fork(STORM_VIEWERS, [], { execArgv: ["--import", "tsx"] })),
  );
  await Promise.all(processes.map((p) => p.wait("online")));
  if (cpus) for (const p of processes) pin(p.child.pid!, cpus);
  return processes;
}

/** The stored answer's text, read by a join once it ended. */
async function storedText(url: string, roomId: string, answerId: string): Promise<string> {
  const probe = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  try {
    const ack = await probe.timeout(60_000).emitWithAck("room:join", { roomId, name: "probe" });
    return (ack.messages as Array<{ id: string; text: string }>).find((m) => m.id === answerId)?.text ?? "";
  } finally {
    probe.close();
  }
}

/** Every viewer's answer is built (or given up) once the texts counted match the viewers. */
async function finalReports(processes: StormProcess[], shares: number[]): Promise<StormReport[]> {
  let reports: StormReport[] = [];
  await waitFor(
    async () => {
      reports = await Promise.all(processes.map((p) => p.report()));
      return reports.every((r, i) => r.texts.reduce((sum, [, n]) => sum + n, 0) >= shares[i]!);
    },
    { timeoutMs: 60_000, intervalMs: 500, what: "every storm viewer's answer" },
  ).catch(() => undefined);
  return reports;
}

function rows(reports: StormReport[], expected: string, server: ProbeStats, stormS: number): Row[] {
  const ack = summarize(reports.flatMap((r) => r.ackMs));
  const slot = summarize(reports.flatMap((r) => r.slotToAckMs));
  const outcomes = new Map<string, number>();
  for (const r of reports) for (const [k, n] of r.outcomes) outcomes.set(k, (outcomes.get(k) ?? 0) + n);
  const exact = reports.reduce((sum, r) => sum + (r.texts.find(([d]) => d === expected)?.[1] ?? 0), 0);
  const acked = outcomes.get("ok") ?? 0;
  const failures = [...outcomes].filter(([k]) => k !== "ok").map(([k, n]) => `${k} ${n}`);
  const presenceKb = reports.reduce((sum, r) => sum + r.presenceBytes, 0) / 1024;
  const presenceFrames = reports.reduce((sum, r) => sum + r.presenceFrames, 0);
  const resumes = reports.reduce((sum, r) => sum + r.resumes, 0);
  const ackKb = reports.reduce((sum, r) => sum + r.ackBytes, 0) / 1024 / Math.max(1, acked);
  return [
    [
      `(h) join storm: ${JOINS} joins in ${WINDOW_MS / 1000} s into a streaming room`,
      `ack p50 ${ack.p50.toFixed(0)} ms / p99 ${ack.p99.toFixed(0)} ms; ${acked}/${JOINS} acknowledged; ` +
        `${acked - exact} inexact`,
      `start→ack p50 ${slot.p50.toFixed(0)} / p99 ${slot.p99.toFixed(0)} ms; ` +
        `failures: ${failures.join(", ") || "none"}; ` +
        `all settled in ${stormS.toFixed(1)} s; node loop p99 ${server.loopP99Ms.toFixed(0)} ms, ` +
        `ELU ${server.elu.toFixed(2)}, CPU ${(server.cpuMs / 1000).toFixed(1)} s; ` +
        `presence ${presenceFrames} frames, ${(presenceKb / Math.max(1, acked)).toFixed(1)} KiB per viewer; ` +
        `join ack ${ackKb.toFixed(1)} KiB; ${resumes} resumes`,
    ],
  ];
}

export async function joinStorm(ctx: Context): Promise<ScenarioResult> {
  const env = { ...NODE_ENV, TRUST_PROXY: "1", LLM_BASE_URL: ctx.upstream.url };
  const node = await startBenchNode(env, ctx.placement);
  const processes = await startStormProcesses(ctx.settings.swarms, ctx.placement.load);
  const roomId = "join-storm";
  const tokens = Math.round(((WINDOW_MS + ANSWER_AFTER_STORM_MS) / 1000) * TOKENS_PER_SECOND);
  ctx.upstream.plan = { tokens, tokensPerSecond: TOKENS_PER_SECOND };
  const asker = await joinedSocket(node.url, roomId, "asker");
  const ended = new Set<string>();
  asker.on("chat:end", (end: { messageId: string }) => ended.add(end.messageId));
  try {
    const sent = await asker.timeout(10_000).emitWithAck("chat:send", { roomId, text: "storm" });
    const answerId = String(sent.replyId);
    const slots = processes.map((_, p) =>
      Array.from({ length: JOINS }, (_, g) => g)
        .filter((g) => g % processes.length === p)
        .map((g) => (g * WINDOW_MS) / JOINS),
    );
    const startAt = Date.now() + 500;
    await node.probeReset();
    processes.forEach((p, i) =>
      p.send({ type: "storm", url: node.url, roomId, answerId, slots: slots[i]!, startAt, ipPrefix: `10.${i + 1}` }),
    );
    await Promise.all(processes.map((p) => p.wait("settled", SETTLE_TIMEOUT_MS)));
    const stormS = (Date.now() - startAt) / 1000;
    console.error(`[bench] h: every join settled after ${stormS.toFixed(1)} s`);
    const server = await node.probe();
    await waitFor(() => ended.has(answerId), { timeoutMs: 120_000, what: "the answer's end" });
    const expected = createHash("sha1")
      .update(await storedText(node.url, roomId, answerId))
      .digest("hex");
    const reports = await finalReports(
      processes,
      slots.map((s) => s.length),
    );
    return { rows: rows(reports, expected, server, stormS), diagnostics: [] };
  } finally {
    for (const p of processes) if (p.child.connected) p.send({ type: "exit" });
    asker.close();
    await node.stop();
  }
}
