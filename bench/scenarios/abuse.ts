/**
 * Abuse (`pnpm bench abuse [--viewers 200 --flood 60 --hog 10 --storm 10 --history 30 …]`): one
 * node (child process, memory mode, DEFAULT limits, TRUST_PROXY=1) and a room where an answer
 * streams to `viewers` well-behaved viewers, each from its own IP (X-Forwarded-For). Measured twice
 * on a fresh node each time: quiet, then while ONE attacker IP (its own process,
 * lib/abuse-attacker.ts) runs the join flood (a room of `history` long answers), the room hog and
 * the queue storm. Then the raw ws relay floor: the quiet run's frames to the same viewers.
 */
import { fork, type ChildProcess } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LIMITS_OFF } from "../../tests/helpers/spawn-node.ts";
import { waitFor } from "../../tests/helpers/wait.ts";
import { fillHistory } from "../lib/abuse-history.ts";
import type { AttackReport, AttackerCommand, AttackerEvent } from "../lib/abuse-protocol.ts";
import { printAbuseReport, type AbuseRun } from "../lib/abuse-report.ts";
import { joinAsker, sleep } from "../lib/asker.ts";
import type { Context } from "../lib/context.ts";
import { machineLoad } from "../lib/machine-load.ts";
import { startBenchNode, type BenchNode } from "../lib/nodes.ts";
import { placement } from "../lib/pinning.ts";
import { readSettings } from "../lib/settings.ts";
import { all, closeAll, exitAll, merge, shares, startSwarms, type Audience } from "../lib/swarms.ts";
import { startTokenUpstream, TOKEN_CHARS, type TokenUpstream } from "../lib/token-upstream.ts";
import { limitSettingsOf } from "../lib/node-env.ts";
import { watchVitals } from "../lib/node-vitals.ts";
import { relayFloor } from "./latency.ts";

const ATTACKER = fileURLToPath(new URL("../lib/abuse-attacker.ts", import.meta.url));
/** The attacker's one client IP (TEST-NET-3). */
const ATTACKER_IP = "203.0.113.66";
const SETTLE_MS = 500;
const ACK_TIMEOUT_MS = 10_000;
/** Viewers who joined get this long beyond the answer's own length to see it end. */
const END_GRACE_MS = 30_000;
/** The whole run stops (and fails) past this, whatever hangs. */
const RUN_DEADLINE_MS = 6 * 60_000;

export interface AbuseOptions {
  viewers: number;
  swarms: number;
  flood: number;
  hog: number;
  storm: number;
  history: number;
  answerChars: number;
  tokens: number;
  rate: number;
  leadSeconds: number;
}

export function abuseOptions(args: string[]): AbuseOptions {
  const defaults = {
    viewers: 200,
    swarms: 2,
    flood: 60,
    hog: 10,
    storm: 10,
    history: 30,
    "answer-chars": 180_000,
    tokens: 400,
    rate: 50,
    "lead-seconds": 3,
  };
  const options = Object.fromEntries(
    Object.entries(defaults).map(([key, value]) => [key, { type: "string" as const, default: String(value) }]),
  );
  const { values } = parseArgs({ args, options });
  const number = (key: keyof typeof defaults) => Number(values[key]);
  const parsed: AbuseOptions = {
    viewers: number("viewers"),
    swarms: number("swarms"),
    flood: number("flood"),
    hog: number("hog"),
    storm: number("storm"),
    history: number("history"),
    answerChars: number("answer-chars"),
    tokens: number("tokens"),
    rate: number("rate"),
    leadSeconds: number("lead-seconds"),
  };
  for (const [key, value] of Object.entries(parsed))
    if (!(value >= 0) || !Number.isFinite(value)) throw new Error(`abuse: --${key} must be a number ≥ 0`);
  return parsed;
}

/**
 * Limits the bench helpers turn off (startBenchNode) beside the tests' LIMITS_OFF; unsetting a
 * name the node does not know is harmless. The report shows what the node really got (node-env.ts).
 */
const BENCH_LIMITS_OFF = [
  "LLM_MAX_ANSWER_CHARS",
  "LLM_MAX_CONCURRENT",
  "ANSWERS_PER_IP_PER_MINUTE",
  "ADHOC_ROOMS_PER_IP_PER_HOUR",
  "MAX_ROOMS_PER_CONNECTION",
  "MAX_MEMBERS_PER_IP_PER_ROOM",
  "ABANDONED_ANSWER_GRACE_MS",
];

/** Every limit at its default (the helpers' "off" values unset), client IPs from X-Forwarded-For. */
function nodeEnv(upstream: TokenUpstream): Record<string, string | undefined> {
  const defaults = Object.fromEntries([...Object.keys(LIMITS_OFF), ...BENCH_LIMITS_OFF].map((key) => [key, undefined]));
  return { ...defaults, TRUST_PROXY: "1", LLM_BASE_URL: upstream.url };
}

// ---------- the attacker process ----------

class Attacker {
  private readonly inbox: AttackerEvent[] = [];
  private constructor(readonly child: ChildProcess) {
    child.on("message", (m) => this.inbox.push(m as AttackerEvent));
  }

  static async start(options: AbuseOptions, url: string, historyRoom: string): Promise<Attacker> {
    const attacker = new Attacker(fork(ATTACKER, [], { execArgv: ["--import", "tsx"] }));
    await attacker.wait("online");
    const sockets = { flood: options.flood, hog: options.hog, storm: options.storm };
    attacker.send({
      type: "start",
      plan: { url, ip: ATTACKER_IP, historyRoom, sockets, ackTimeoutMs: ACK_TIMEOUT_MS },
    });
    await attacker.wait("started");
    return attacker;
  }

  async stop(): Promise<AttackReport> {
    this.send({ type: "stop" });
    return (await this.wait("report")).report;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  private send(command: AttackerCommand): void {
    this.child.send(command);
  }

  private wait<T extends AttackerEvent["type"]>(type: T): Promise<Extract<AttackerEvent, { type: T }>> {
    return waitFor(
      () => {
        const i = this.inbox.findIndex((m) => m.type === type);
        return i >= 0 ? (this.inbox.splice(i, 1)[0] as Extract<AttackerEvent, { type: T }>) : undefined;
      },
      { timeoutMs: 60_000, what: `the attacker's ${type}` },
    );
  }
}

// ---------- one run ----------

/** Opens the viewers (each its own IP); resolves with how long until every join was answered. */
async function openViewers(ctx: Context, node: BenchNode, roomId: string): Promise<number> {
  const started = performance.now();
  const counts = shares(ctx.settings.viewers, ctx.swarms.length);
  await all(ctx.swarms, async (s, i) => {
    s.send({ type: "sio", url: node.url, roomId, count: counts[i]!, record: i === 0, ipPrefix: `10.${i + 1}` });
    await s.wait("ready", 60_000);
  });
  return performance.now() - started;
}

/** Asks through `asker` and waits until every viewer who joined has seen the answer end (or the grace is over). */
async function watchAnswer(
  ctx: Context,
  ask: () => Promise<string>,
  plan: { tokens: number; tokensPerSecond: number },
): Promise<{ asked: string; ended: boolean }> {
  ctx.upstream.plan = plan;
  const asked = await ask();
  if (asked !== "ok") return { asked, ended: false };
  const timeoutMs = (plan.tokens / plan.tokensPerSecond) * 1000 + END_GRACE_MS;
  const ended = await all(ctx.swarms, (s) =>
    s.wait("ended", timeoutMs).then(
      () => true,
      () => false,
    ),
  );
  return { asked, ended: ended.every(Boolean) };
}

/** "ok", or why the question was refused. */
function askedOk(asked: Promise<void>): Promise<string> {
  return asked.then(
    () => "ok",
    (error: Error) => error.message.slice(0, 160),
  );
}

/** What the node and machine did from here to the returned function's call. */
async function openWindow(
  node: BenchNode,
): Promise<() => Promise<Pick<AbuseRun, "vitals" | "server" | "machineCores">>> {
  const stopVitals = watchVitals(node.pid, node.url);
  await node.probeReset();
  const load = machineLoad();
  return async () => {
    const machineCores = load();
    return { machineCores, server: await node.probe(), vitals: await stopVitals() };
  };
}

/** The viewers join `roomId`, an asker asks a warm-up question (as in (a)) and then the measured one. */
async function watchRoom(
  ctx: Context,
  node: BenchNode,
  roomId: string,
  options: AbuseOptions,
): Promise<Pick<AbuseRun, "joinMs" | "asked" | "ended">> {
  const joinMs = await openViewers(ctx, node, roomId);
  const asker = await joinAsker(node.url, roomId).catch((error: Error) => error);
  try {
    await sleep(SETTLE_MS);
    const ask = () =>
      asker instanceof Error ? Promise.resolve(`the asker's join failed: ${asker.message}`) : askedOk(asker.ask());
    await watchAnswer(ctx, ask, { tokens: 100, tokensPerSecond: 200 });
    for (const s of ctx.swarms) s.send({ type: "reset" });
    return { joinMs, ...(await watchAnswer(ctx, ask, { tokens: options.tokens, tokensPerSecond: options.rate })) };
  } finally {
    if (!(asker instanceof Error)) asker.close();
  }
}

/** What the viewers recorded of the measured answer; then they close. */
async function collectAudience(ctx: Context): Promise<Audience> {
  const audience = merge(await all(ctx.swarms, (s) => s.report()));
  await closeAll(ctx.swarms);
  return audience;
}

/** One run on a fresh node: history room filled, then (with `attacked`) the attacker, the viewers and the answer. */
async function runOnce(ctx: Context, options: AbuseOptions, attacked: boolean): Promise<AbuseRun> {
  const node = await startBenchNode(nodeEnv(ctx.upstream), ctx.placement);
  let attacker: Attacker | undefined;
  try {
    const tag = attacked ? "attacked" : "quiet";
    const limits = limitSettingsOf(node.pid);
    await fillHistory(
      node.url,
      `abuse-history-${tag}`,
      ctx.upstream,
      options.history,
      Math.floor(options.answerChars / TOKEN_CHARS),
    );
    const closeWindow = await openWindow(node);
    if (attacked) attacker = await Attacker.start(options, node.url, `abuse-history-${tag}`);
    await sleep(options.leadSeconds * 1000);
    const watched = await watchRoom(ctx, node, `abuse-watch-${tag}`, options);
    const attack = await attacker?.stop();
    const measured = await closeWindow();
    return {
      attacked,
      limits,
      ...watched,
      ...measured,
      audience: await collectAudience(ctx),
      ...(attack ? { attack } : {}),
    };
  } finally {
    attacker?.kill();
    await node.stop();
  }
}

export async function abuse(args: string[]): Promise<void> {
  const options = abuseOptions(args);
  const loadBefore = os.loadavg();
  const deadline = setTimeout(() => {
    console.error(`[abuse] still running after ${RUN_DEADLINE_MS / 60_000} min: giving up`);
    process.exit(1);
  }, RUN_DEADLINE_MS);
  const settings = { ...readSettings(), viewers: options.viewers, swarms: options.swarms };
  const where = placement(settings.pin);
  const upstream = await startTokenUpstream({ tokens: 1, tokensPerSecond: 1 });
  const swarms = await startSwarms(options.swarms, where.load);
  const ctx: Context = { settings, placement: where, upstream, swarms };
  try {
    const started = Date.now();
    const quiet = await runOnce(ctx, options, false);
    console.error(`[abuse] quiet run done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const attacked = await runOnce(ctx, options, true);
    console.error(`[abuse] attacked run done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const floor = await relayFloor(ctx, quiet.audience.reports[0]?.frames ?? []);
    printAbuseReport({ options, loadBefore, quiet, attacked, floor, seconds: (Date.now() - started) / 1000 });
  } finally {
    clearTimeout(deadline);
    exitAll(swarms);
    await upstream.close();
  }
}
