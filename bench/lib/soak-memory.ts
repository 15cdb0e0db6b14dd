/** The soak's memory over time: each node's RSS and V8 heap (after a full GC) and Redis used_memory. */
import os from "node:os";
import type { BenchNode } from "./nodes.ts";
import { usedMemoryKb } from "./redis-stats.ts";
import { table } from "./stats.ts";

export interface MemorySample {
  /** Seconds since the questions started. */
  at: number;
  nodes: Array<{ rssKb: number; heapKb: number }>;
  redisKb: number;
  load1: number;
}

export async function sampleMemory(at: number, nodes: BenchNode[], redisPort: number): Promise<MemorySample> {
  const probes = await Promise.all(nodes.map((n) => n.probe()));
  return {
    at,
    nodes: probes.map((p) => ({ rssKb: p.rssKb, heapKb: p.heapUsedKb })),
    redisKb: await usedMemoryKb(redisPort),
    load1: os.loadavg()[0]!,
  };
}

/** Least-squares slope of value over time, in KB per minute. */
export function slopeKbPerMin(points: Array<[seconds: number, kb: number]>): number {
  if (points.length < 2) return Number.NaN;
  const n = points.length;
  const meanT = points.reduce((s, [t]) => s + t, 0) / n;
  const meanV = points.reduce((s, [, v]) => s + v, 0) / n;
  const num = points.reduce((s, [t, v]) => s + (t - meanT) * (v - meanV), 0);
  const den = points.reduce((s, [t]) => s + (t - meanT) ** 2, 0);
  return (num / den) * 60;
}

const mb = (kb: number) => (kb / 1024).toFixed(1);

/** The memory table (MB) with a last row of slopes (KB/min) over samples at or after `slopeFrom` s. */
export function memoryTable(samples: MemorySample[], slopeFrom: number): string {
  const header = [
    "t (s)",
    ...samples[0]!.nodes.flatMap((_, i) => [`node ${i + 1} RSS`, `node ${i + 1} heap`]),
    "redis used_memory",
    "load avg (1 min)",
  ];
  const rows = samples.map((s) => [
    s.at,
    ...s.nodes.flatMap((n) => [mb(n.rssKb), mb(n.heapKb)]),
    mb(s.redisKb),
    s.load1.toFixed(2),
  ]);
  const late = samples.filter((s) => s.at >= slopeFrom);
  const slope = (f: (s: MemorySample) => number) => `${slopeKbPerMin(late.map((s) => [s.at, f(s)])).toFixed(0)} KB/min`;
  const slopes = samples[0]!.nodes.flatMap((_, i) => [
    slope((s) => s.nodes[i]!.rssKb),
    slope((s) => s.nodes[i]!.heapKb),
  ]);
  rows.push([`slope from ${slopeFrom} s`, ...slopes, slope((s) => s.redisKb), ""]);
  return table(header, rows);
}
