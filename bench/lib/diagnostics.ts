/** Where the time goes: per-delta fan-out spread, process probes, formatted for the diagnostics table. */
import os from "node:os";
import type { ProbeStats } from "./node-probe.mjs";
import { summarize } from "./stats.ts";
import type { Audience } from "./swarms.ts";

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : "n/a");

/**
 * Per delta: "first" = newest token's upstream write → first viewer to receive it (server path +
 * coalescing wait); "spread" = first → last viewer to receive it (fan-out across the audience).
 */
export function deltaTimings(audience: Audience): string {
  const seqs = [...audience.seqs.values()];
  const first = summarize(seqs.map((s) => s.first - s.newestStamp).filter(Number.isFinite));
  const spread = summarize(seqs.map((s) => s.last - s.first));
  return (
    `newest token → first viewer p50 ${ms(first.p50)} / p99 ${ms(first.p99)} ms; ` +
    `first → last viewer p50 ${ms(spread.p50)} / p99 ${ms(spread.p99)} / max ${ms(spread.max)} ms`
  );
}

export function describeProbe(p: ProbeStats): string {
  const cores = p.wallMs > 0 ? p.cpuMs / p.wallMs : Number.NaN;
  return (
    `CPU ${cores.toFixed(2)} cores, ELU ${(p.elu * 100).toFixed(0)}%, ` +
    `loop delay p99 ${ms(p.loopP99Ms)} / max ${ms(p.loopMaxMs)} ms, GC ${p.gcCount}× (max ${ms(p.gcMaxMs)} ms)`
  );
}

/** The load generators together: summed CPU, worst loop delay and GC pause. */
export function describeSwarms(audience: Audience): string {
  const probes = audience.reports.map((r) => r.probe);
  const cores = sumCores(probes);
  const worst = (f: (p: ProbeStats) => number) => Math.max(...probes.map(f));
  const delay = `loop delay p99 ≤ ${ms(worst((p) => p.loopP99Ms))} / max ${ms(worst((p) => p.loopMaxMs))} ms`;
  const gc = `GC max ${ms(worst((p) => p.gcMaxMs))} ms`;
  return `${probes.length} processes: CPU ${cores.toFixed(2)} cores in all, ${delay}, ${gc}`;
}

export function sumCores(probes: ProbeStats[]): number {
  return probes.reduce((sum, p) => sum + (p.wallMs > 0 ? p.cpuMs / p.wallMs : 0), 0);
}

/** Machine-wide busy cores beside the share of the server nodes and load generators. */
export function describeMachine(machineCores: number, ours: number): string {
  const others = machineCores - ours;
  const warning = others > 0.3 ? " — OTHER WORK WAS RUNNING: rerun on a quiet machine" : "";
  const busy = `${machineCores.toFixed(2)} of ${os.cpus().length} cores busy`;
  return `${busy}; servers + load generators ${ours.toFixed(2)}, everything else ${others.toFixed(2)}${warning}`;
}

/**
 * The viewers that did not get in or dropped out ("3 lost, 1 connect_error"), and the connects tried
 * again: "" when every viewer got in at its first try.
 */
export function describeJoins(audience: Audience): string {
  const notIn = [...audience.joins].filter(([outcome]) => outcome !== "ok").map(([outcome, n]) => `${n} ${outcome}`);
  if (audience.retries > 0) notIn.push(`${audience.retries} connects retried`);
  return notIn.join(", ");
}
