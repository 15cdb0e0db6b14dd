/**
 * A node's vitals over a window, seen from outside: its RSS (/proc/<pid>/status VmRSS, sampled
 * every RSS_EVERY_MS; peak and first sample) and how long `/healthz` takes to answer (asked one
 * request after another, HEALTHZ_EVERY_MS apart).
 */
import { readFileSync } from "node:fs";
import { epochMs } from "./clock.ts";
import { summarize } from "./stats.ts";

const RSS_EVERY_MS = 100;
const HEALTHZ_EVERY_MS = 200;
const HEALTHZ_TIMEOUT_MS = 10_000;

export interface Vitals {
  rssFirstKb: number;
  rssPeakKb: number;
  healthz: { n: number; p50: number; p99: number; max: number; failures: number };
}

/** VmRSS of `pid` in KiB (NaN when it cannot be read: not Linux, or the process is gone). */
export function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    // The process exited or /proc is missing: no sample.
    return Number.NaN;
  }
}

/** Starts sampling; the returned function stops and summarises. */
export function watchVitals(pid: number, url: string): () => Promise<Vitals> {
  const rss: number[] = [];
  const healthz: number[] = [];
  let failures = 0;
  let running = true;
  const sample = () => rss.push(rssKb(pid));
  sample();
  const sampler = setInterval(sample, RSS_EVERY_MS);
  const asking = (async () => {
    while (running) {
      const took = await timeHealthz(url);
      if (took === undefined) failures += 1;
      else healthz.push(took);
      await new Promise((resolve) => setTimeout(resolve, HEALTHZ_EVERY_MS));
    }
  })();
  return async () => {
    running = false;
    clearInterval(sampler);
    await asking;
    const measured = rss.filter(Number.isFinite);
    return {
      rssFirstKb: measured[0] ?? Number.NaN,
      rssPeakKb: Math.max(...measured),
      healthz: { ...summarize(healthz), failures },
    };
  };
}

/** ms for one GET /healthz, or undefined when it failed or took over HEALTHZ_TIMEOUT_MS. */
async function timeHealthz(url: string): Promise<number | undefined> {
  const start = epochMs();
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(HEALTHZ_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.ok ? epochMs() - start : undefined;
  } catch {
    // Refused, reset or timed out: counted as a failure.
    return undefined;
  }
}
