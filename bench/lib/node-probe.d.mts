export interface ProbeStats {
  wallMs: number;
  /** User + system CPU time of the process over the window. */
  cpuMs: number;
  /** Event-loop utilisation (0..1) over the window. */
  elu: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  rssKb: number;
  /** V8 heap in use (after a full GC when the process runs with --expose-gc). */
  heapUsedKb: number;
  /** V8 heap held: used + the free pages V8 kept (the part of RSS a GC does not return). */
  heapTotalKb: number;
  /** write/writev/sendmsg… system calls over the window (Linux /proc/self/io syscw). */
  writeSyscalls: number;
  readSyscalls: number;
}

export interface Probe {
  snapshot(): ProbeStats;
  reset(): void;
}

export function createProbe(): Probe;
