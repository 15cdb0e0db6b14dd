/**
 * System-wide CPU use over a window, from /proc/stat (Linux), so a run disturbed by other work on
 * the machine can be told apart: compare it with the CPU the benchmark's own processes used.
 */
import { readFileSync } from "node:fs";

interface CpuTimes {
  busy: number;
  total: number;
}

function read(): CpuTimes | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    // Not Linux: no machine-wide figure.
    return undefined;
  }
}

/** Starts a window; the returned function gives the machine's busy cores since then. */
export function machineLoad(): () => number {
  const start = read();
  const startedAt = performance.now();
  return () => {
    const end = read();
    if (!start || !end) return Number.NaN;
    const seconds = (performance.now() - startedAt) / 1000;
    // /proc/stat counts in USER_HZ (100 per second on Linux).
    return (end.busy - start.busy) / 100 / seconds;
  };
}
