/**
 * What one load-generator process records about the deltas its viewers receive. A delta's text
 * is parsed for token stamps once per seq (every viewer of a process receives the same text), so
 * the measuring side costs one Map lookup per delivery beyond the decoding a real client does.
 * Every delivery's text is compared with the first viewer's for that seq (`mismatches`); light
 * viewers also report seq gaps (`gaps`). `stream` tells apart the rooms of one process.
 */
import { epochMs } from "./clock.ts";
import type { ProbeStats } from "./node-probe.mjs";
import { record, type Histogram } from "./stats.ts";
import type { SeqTimes, SwarmReport } from "./swarm-protocol.ts";
import { stampsIn } from "./token-upstream.ts";

export const BUCKET_MS = 10;

export class Recorder {
  private readonly delays: Histogram = new Map();
  private readonly buckets = new Map<number, number>();
  private readonly stamps = new Map<string, { text: string; stamps: number[] }>();
  private readonly seqs = new Map<number, SeqTimes>();
  deltas = 0;
  chars = 0;
  ends = 0;
  gaps = 0;
  mismatches = 0;
  readonly frames: string[] = [];

  delta(seq: number, text: string, stream = ""): void {
    const now = epochMs();
    this.deltas += 1;
    this.chars += text.length;
    const bucket = Math.floor(now / BUCKET_MS);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    const stamps = this.stampsOf(seq, text, stream);
    for (const stamp of stamps) record(this.delays, now - stamp);
    const times = this.seqs.get(seq);
    if (times) {
      times.first = Math.min(times.first, now);
      times.last = Math.max(times.last, now);
      times.viewers += 1;
    } else {
      this.seqs.set(seq, { seq, first: now, last: now, newestStamp: stamps.at(-1) ?? Number.NaN, viewers: 1 });
    }
  }

  report(probe: ProbeStats): Omit<SwarmReport, "joins" | "retries"> {
    return {
      delays: [...this.delays],
      buckets: [...this.buckets],
      seqs: [...this.seqs.values()],
      deltas: this.deltas,
      chars: this.chars,
      ends: this.ends,
      gaps: this.gaps,
      mismatches: this.mismatches,
      frames: this.frames,
      probe,
    };
  }

  private stampsOf(seq: number, text: string, stream: string): number[] {
    const key = `${stream}:${seq}`;
    const known = this.stamps.get(key);
    if (known === undefined) {
      const stamps = stampsIn(text);
      this.stamps.set(key, { text, stamps });
      return stamps;
    }
    if (known.text !== text) this.mismatches += 1;
    return known.stamps;
  }
}
