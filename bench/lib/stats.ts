export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(values: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === "number" ? formatNumber(cell) : cell)));
  const lines = [headers, headers.map(() => "---"), ...cells].map((row) => `| ${row.join(" | ")} |`);
  return lines.join("\n");
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toFixed(1);
}

/** Histogram bin width for delays, in ms: percentiles are exact to this resolution. */
export const BIN_MS = 0.1;

/** A sparse histogram of millisecond values: bin index → count. Cheap to fill, merge and send over IPC. */
export type Histogram = Map<number, number>;

export function record(histogram: Histogram, valueMs: number, count = 1): void {
  const bin = Math.max(0, Math.round(valueMs / BIN_MS));
  histogram.set(bin, (histogram.get(bin) ?? 0) + count);
}

export function mergeInto<K>(target: Map<K, number>, entries: Iterable<[K, number]>): Map<K, number> {
  for (const [bin, count] of entries) target.set(bin, (target.get(bin) ?? 0) + count);
  return target;
}

export function summarizeHistogram(histogram: Histogram): { n: number; p50: number; p99: number; max: number } {
  const bins = [...histogram.entries()].sort((a, b) => a[0] - b[0]);
  const n = bins.reduce((sum, [, count]) => sum + count, 0);
  const at = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * n));
    let seen = 0;
    for (const [bin, count] of bins) {
      seen += count;
      if (seen >= rank) return bin * BIN_MS;
    }
    return Number.NaN;
  };
  return { n, p50: at(50), p99: at(99), max: (bins.at(-1)?.[0] ?? Number.NaN) * BIN_MS };
}

/** "p50 31.4 ms / p99 48.0 ms (max 61)". */
export function formatLatency(s: { p50: number; p99: number; max: number }): string {
  return `p50 ${s.p50.toFixed(1)} ms / p99 ${s.p99.toFixed(1)} ms (max ${s.max.toFixed(0)})`;
}
