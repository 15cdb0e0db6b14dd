/** The abuse bench's tables (Markdown): the well-behaved viewers quiet vs under attack, then the attacker's tally. */
import os from "node:os";
import type { AbuseOptions } from "../scenarios/abuse.ts";
import type { AttackName, AttackReport, AttackTally } from "./abuse-protocol.ts";
import { describeProbe, describeSwarms } from "./diagnostics.ts";
import type { ProbeStats } from "./node-probe.mjs";
import type { Vitals } from "./node-vitals.ts";
import { formatLatency, summarizeHistogram, table } from "./stats.ts";
import type { Audience } from "./swarms.ts";

export interface AbuseRun {
  attacked: boolean;
  /** Limit settings in the node's environment ("NAME=value"); undefined: could not be read. */
  limits: string[] | undefined;
  /** From opening the viewers until every join was answered (or refused). */
  joinMs: number;
  /** "ok", or why the measured question was refused. */
  asked: string;
  /** Every viewer who joined saw the measured answer end in time. */
  ended: boolean;
  audience: Audience;
  vitals: Vitals;
  server: ProbeStats;
  machineCores: number;
  attack?: AttackReport;
}

export interface AbuseSummary {
  options: AbuseOptions;
  loadBefore: number[];
  quiet: AbuseRun;
  attacked: AbuseRun;
  floor: Audience;
  seconds: number;
}

const ATTACKS: Array<[AttackName, string]> = [
  ["flood", "join flood"],
  ["hog", "room hog"],
  ["storm", "queue storm"],
];

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
/** "12.3 ms", or "n/a" when nothing was measured. */
const ms = (v: number, digits = 1) => (Number.isFinite(v) ? `${v.toFixed(digits)} ms` : "n/a");

function ratio(attacked: number, quiet: number, goal?: number): string {
  const r = attacked / quiet;
  if (goal !== undefined && Number.isFinite(quiet) && !Number.isFinite(attacked))
    return `nothing measured (goal ≤ ${goal}×: MISSED)`;
  if (!Number.isFinite(r)) return "n/a";
  const verdict = goal === undefined ? "" : r <= goal ? ` (goal ≤ ${goal}×: met)` : ` (goal ≤ ${goal}×: MISSED)`;
  return `${r.toFixed(2)}×${verdict}`;
}

function joined(run: AbuseRun, viewers: number): string {
  const ok = run.audience.joins.get("ok") ?? 0;
  const refused = [...run.audience.joins].filter(([outcome]) => outcome !== "ok").map(([code, n]) => `${n} ${code}`);
  return `${ok} / ${viewers}${refused.length > 0 ? ` (${refused.join(", ")})` : ""}`;
}

function deliveries(run: AbuseRun, tokens: number): string {
  const expected = tokens * (run.audience.joins.get("ok") ?? 0);
  const notes = [
    run.asked === "ok" ? "" : `question refused: ${run.asked}`,
    run.ended || run.asked !== "ok" ? "" : "not every viewer saw the end in time",
  ];
  return [`${summarizeHistogram(run.audience.delays).n} of ${expected}`, ...notes.filter(Boolean)].join("; ");
}

function healthz(v: Vitals): string {
  const failed = v.healthz.failures > 0 ? `, ${v.healthz.failures} failed` : "";
  return `${ms(v.healthz.p50)} / ${ms(v.healthz.p99)} / ${ms(v.healthz.max, 0)} (${v.healthz.n} requests${failed})`;
}

function machine(cores: number): string {
  return `${cores.toFixed(2)} of ${os.cpus().length}`;
}

export function viewerRows({ options, quiet, attacked, floor }: AbuseSummary): string[][] {
  const q = summarizeHistogram(quiet.audience.delays);
  const a = summarizeHistogram(attacked.audience.delays);
  const f = summarizeHistogram(floor.delays);
  return [
    ["viewers joined", joined(quiet, options.viewers), joined(attacked, options.viewers), ""],
    [
      "every join answered (or failed) after",
      ms(quiet.joinMs, 0),
      ms(attacked.joinMs, 0),
      ratio(attacked.joinMs, quiet.joinMs),
    ],
    ["token → viewer delay p50", ms(q.p50), ms(a.p50), ratio(a.p50, q.p50)],
    ["token → viewer delay p99", ms(q.p99), ms(a.p99), ratio(a.p99, q.p99, 2)],
    ["token → viewer delay max", ms(q.max, 0), ms(a.max, 0), ""],
    ["token deliveries", deliveries(quiet, options.tokens), deliveries(attacked, options.tokens), ""],
    ["↳ floor: raw ws relay, the quiet run's frames, same viewers", formatLatency(f), "", ""],
    ["node RSS when the window opened", mib(quiet.vitals.rssFirstKb), mib(attacked.vitals.rssFirstKb), ""],
    [
      "node RSS peak",
      mib(quiet.vitals.rssPeakKb),
      mib(attacked.vitals.rssPeakKb),
      ratio(attacked.vitals.rssPeakKb, quiet.vitals.rssPeakKb, 2),
    ],
    [
      "/healthz p50 / p99 / max",
      healthz(quiet.vitals),
      healthz(attacked.vitals),
      ratio(attacked.vitals.healthz.p99, quiet.vitals.healthz.p99),
    ],
    ["node process", describeProbe(quiet.server), describeProbe(attacked.server), ""],
    [
      "viewers' load generators (measured answer)",
      describeSwarms(quiet.audience),
      describeSwarms(attacked.audience),
      "",
    ],
    ["machine busy cores", machine(quiet.machineCores), machine(attacked.machineCores), ""],
  ];
}

/** "room:join ok 120 · rate_limited 3,000; room:leave ok 118". */
function calls(tally: AttackTally): string {
  return Object.entries(tally.calls)
    .map(
      ([event, outcomes]) =>
        `${event} ${Object.entries(outcomes)
          .sort((x, y) => y[1] - x[1])
          .map(([o, n]) => `${o} ${n}`)
          .join(" · ")}`,
    )
    .join("; ");
}

function received(tally: AttackTally, seconds: number): string {
  const rate = `${mb(tally.bytes / seconds)}/s`;
  return `${mb(tally.bytes)} (${rate}) in ${tally.frames} messages; largest ${mb(tally.largest)}`;
}

function notes(tally: AttackTally): string {
  return Object.entries(tally.notes)
    .map(([name, n]) => `${name}: ${n}`)
    .join("; ");
}

export function attackRows(report: AttackReport, options: AbuseOptions): string[][] {
  const rows = ATTACKS.map(([name, label]) => {
    const t = report.attacks[name];
    return [
      `${label} (${options[name]} sockets)`,
      `${t.connects} (${t.connectFailures} refused)`,
      calls(t) || "none",
      received(t, report.seconds),
      notes(t),
    ];
  });
  const bytes = ATTACKS.reduce((sum, [name]) => sum + report.attacks[name].bytes, 0);
  const cores = (report.cpuSeconds / report.seconds).toFixed(2);
  rows.push([
    `all, over ${report.seconds.toFixed(1)} s`,
    "",
    "",
    `${mb(bytes)} (${mb(bytes / report.seconds)}/s)`,
    `attacker process CPU ${cores} cores`,
  ]);
  return rows;
}

function describeLimits(limits: string[] | undefined): string {
  if (limits === undefined) return "unknown (no /proc)";
  return limits.length === 0 ? "none" : limits.join(", ");
}

export function printAbuseReport(summary: AbuseSummary): void {
  const { options, loadBefore } = summary;
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const memory = `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
  const day = new Date().toISOString().slice(0, 10);
  console.log(`Machine: ${cpu}, ${os.cpus().length} cores, ${memory}, Node ${process.version}, ${day}`);
  const load = loadBefore.map((l) => l.toFixed(2)).join(" / ");
  console.log(`Load average before the run: ${load} (1 / 5 / 15 min); whole run ${summary.seconds.toFixed(0)} s`);
  console.log(
    `One node, memory mode, default limits, TRUST_PROXY=1. ${options.viewers} viewers ` +
      `(each its own IP, ${options.swarms} load generators) watch ${options.tokens} tokens at ${options.rate} tok/s. ` +
      `Attacker: one IP; join flood ${options.flood} sockets on a room of ${options.history} answers × ` +
      `${options.answerChars.toLocaleString("en")} chars; room hog ${options.hog} sockets; ` +
      `queue storm ${options.storm} sockets; started ${options.leadSeconds} s before the viewers join.\n`,
  );
  console.log(`Limits set in the node's environment (else defaults): ${describeLimits(summary.attacked.limits)}\n`);
  console.log(table(["well-behaved viewers", "quiet", "under attack", "attacked ÷ quiet"], viewerRows(summary)));
  if (summary.attacked.attack) {
    const header = [
      "attacker (one IP)",
      "connections (refused)",
      "calls by outcome",
      "bytes the node sent it",
      "notes",
    ];
    console.log(`\n${table(header, attackRows(summary.attacked.attack, options))}`);
  }
}
