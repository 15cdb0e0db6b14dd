/**
 * The audience: a fixed set of load-generator processes (swarm.ts), driven over IPC. The same
 * processes can watch a Tokencast room and then a raw ws relay, so both are measured by the same
 * clients.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitFor } from "../../tests/helpers/wait.ts";
import { pin } from "./pinning.ts";
import { mergeInto, type Histogram } from "./stats.ts";
import type { SeqTimes, SwarmCommand, SwarmEvent, SwarmReport } from "./swarm-protocol.ts";

const SWARM = fileURLToPath(new URL("./swarm.ts", import.meta.url));
const TIMEOUT_MS = 180_000;

export class SwarmProcess {
  private readonly inbox: SwarmEvent[] = [];

  constructor(readonly child: ChildProcess) {
    child.on("message", (m) => this.inbox.push(m as SwarmEvent));
  }

  send(command: SwarmCommand): void {
    this.child.send(command);
  }

  async wait<T extends SwarmEvent["type"]>(type: T, timeoutMs = TIMEOUT_MS): Promise<Extract<SwarmEvent, { type: T }>> {
    return waitFor(
      () => {
        const index = this.inbox.findIndex((m) => m.type === type);
        return index >= 0 ? (this.inbox.splice(index, 1)[0] as Extract<SwarmEvent, { type: T }>) : undefined;
      },
      { timeoutMs, what: `swarm ${type}` },
    );
  }

  async report(): Promise<SwarmReport> {
    this.send({ type: "report" });
    return (await this.wait("report")).report;
  }
}

/** Forks `count` load generators (pinned to `cpus` when given) and waits until they are up. */
export async function startSwarms(count: number, cpus?: string): Promise<SwarmProcess[]> {
  const swarms = Array.from(
    { length: count },
    () => new SwarmProcess(fork(SWARM, [], { execArgv: ["--import", "tsx"] })),
  );
  await Promise.all(swarms.map((s) => s.wait("online")));
  if (cpus) for (const s of swarms) pin(s.child.pid!, cpus);
  return swarms;
}

/** Splits `total` viewers over the swarms as evenly as possible. */
export function shares(total: number, swarms: number): number[] {
  return Array.from({ length: swarms }, (_, i) => Math.floor(total / swarms) + (i < total % swarms ? 1 : 0));
}

export async function all<T>(swarms: SwarmProcess[], action: (s: SwarmProcess, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(swarms.map(action));
}

/**
 * Waits until every swarm's viewers saw the answer end; on a timeout, says how far each got (ends
 * seen, viewers by outcome, deltas) so that a stuck run shows which viewers are missing what.
 */
export async function allEnded(swarms: SwarmProcess[]): Promise<void> {
  try {
    await all(swarms, (s) => s.wait("ended"));
  } catch (error) {
    const reports = await all(swarms, (s) => s.report());
    const where = reports.map(
      (r, i) => `swarm ${i}: ${r.ends} ends, ${r.deltas} deltas, viewers ${JSON.stringify(r.joins)}`,
    );
    throw new Error(`${(error as Error).message} (${where.join("; ")})`);
  }
}

export async function closeAll(swarms: SwarmProcess[]): Promise<void> {
  await all(swarms, async (s) => {
    s.send({ type: "close" });
    await s.wait("closed");
  });
}

export function exitAll(swarms: SwarmProcess[]): void {
  for (const s of swarms) if (s.child.connected) s.send({ type: "exit" });
}

export interface Audience {
  delays: Histogram;
  buckets: Map<number, number>;
  seqs: Map<number, SeqTimes>;
  deltas: number;
  chars: number;
  ends: number;
  gaps: number;
  mismatches: number;
  /** Viewers by outcome (SwarmReport.joins). */
  joins: Map<string, number>;
  /** Connects tried again (SwarmReport.retries). */
  retries: number;
  reports: SwarmReport[];
}

/** Merges several processes' reports into one audience view. */
export function merge(reports: SwarmReport[]): Audience {
  const audience: Audience = {
    delays: new Map(),
    buckets: new Map(),
    seqs: new Map(),
    deltas: 0,
    chars: 0,
    ends: 0,
    gaps: 0,
    mismatches: 0,
    joins: new Map(),
    retries: 0,
    reports,
  };
  for (const r of reports) {
    mergeInto(audience.delays, r.delays);
    mergeInto(audience.buckets, r.buckets);
    mergeInto(audience.joins, r.joins);
    for (const s of r.seqs) mergeSeq(audience.seqs, s);
    audience.deltas += r.deltas;
    audience.chars += r.chars;
    audience.ends += r.ends;
    audience.gaps += r.gaps;
    audience.mismatches += r.mismatches;
    audience.retries += r.retries;
  }
  return audience;
}

function mergeSeq(seqs: Map<number, SeqTimes>, s: SeqTimes): void {
  const known = seqs.get(s.seq);
  if (!known) {
    seqs.set(s.seq, { ...s });
    return;
  }
  known.first = Math.min(known.first, s.first);
  known.last = Math.max(known.last, s.last);
  known.viewers += s.viewers;
}
