/** BENCH_DUMP_DIR=dir: writes per-delta timings of each run as CSV, for looking into tails. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Audience } from "./swarms.ts";

export function dumpSeqs(name: string, audience: Audience): void {
  const dir = process.env.BENCH_DUMP_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const seqs = [...audience.seqs.values()].sort((a, b) => a.seq - b.seq);
  const t0 = seqs[0]?.newestStamp ?? 0;
  const lines = seqs.map((s) =>
    [
      s.seq,
      (s.newestStamp - t0).toFixed(1),
      (s.first - s.newestStamp).toFixed(1),
      (s.last - s.newestStamp).toFixed(1),
      s.viewers,
    ].join(","),
  );
  writeFileSync(path.join(dir, `${name}.csv`), ["seq,stampMs,firstMs,lastMs,viewers", ...lines].join("\n"));
}
