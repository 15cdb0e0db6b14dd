/**
 * Event-loop / GC / CPU probe for a Node process under benchmark.
 *
 * - Imported by the load generators (createProbe).
 * - Injected into a server node with NODE_OPTIONS="--import=<this file>" and BENCH_PROBE_FILE set:
 *   each SIGUSR2 writes the statistics since the previous SIGUSR2 to that file (JSON) and resets them.
 *   Plain JavaScript so that it loads before tsx's loader is registered.
 * - With BENCH_CPU_PROFILE_DIR set too, each SIGUSR2 also ends a CPU profile of the window
 *   (written as <dir>/<pid>-<n>.cpuprofile, for Chrome DevTools or speedscope) and starts the next.
 *   (--cpu-prof is not allowed in NODE_OPTIONS.)
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { monitorEventLoopDelay, performance, PerformanceObserver } from "node:perf_hooks";

/** Write/read syscalls of this process so far (Linux /proc/self/io; 0 elsewhere). */
function syscalls() {
  try {
    const io = readFileSync("/proc/self/io", "utf8");
    const field = (name) => Number(new RegExp(`^${name}: (\\d+)`, "m").exec(io)?.[1] ?? 0);
    return { writes: field("syscw"), reads: field("syscr") };
  } catch {
    // Not Linux: no counts.
    return { writes: 0, reads: 0 };
  }
}

export function createProbe() {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count += 1;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  let since = {
    wall: performance.now(),
    cpu: process.cpuUsage(),
    elu: performance.eventLoopUtilization(),
    io: syscalls(),
  };
  return {
    /** Statistics since the last reset (or start). With --expose-gc, collects garbage first (heapUsedKb). */
    snapshot() {
      if (typeof globalThis.gc === "function") globalThis.gc();
      const wallMs = performance.now() - since.wall;
      const cpu = process.cpuUsage(since.cpu);
      const io = syscalls();
      return {
        writeSyscalls: io.writes - since.io.writes,
        readSyscalls: io.reads - since.io.reads,
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        elu: performance.eventLoopUtilization(since.elu).utilization,
        loopP50Ms: loop.percentile(50) / 1e6,
        loopP99Ms: loop.percentile(99) / 1e6,
        loopMaxMs: loop.max / 1e6,
        gcCount: gc.count,
        gcTotalMs: gc.totalMs,
        gcMaxMs: gc.maxMs,
        rssKb: Math.round(process.memoryUsage.rss() / 1024),
        heapUsedKb: Math.round(process.memoryUsage().heapUsed / 1024),
        // What V8 holds for its heap (used + free pages it kept): the part of RSS a GC does not return.
        heapTotalKb: Math.round(process.memoryUsage().heapTotal / 1024),
      };
    },
    reset() {
      loop.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0 };
      since = {
        wall: performance.now(),
        cpu: process.cpuUsage(),
        elu: performance.eventLoopUtilization(),
        io: syscalls(),
      };
    },
  };
}

/** Profiles windows of this process: each call ends the current profile (if any) and starts one. */
function windowProfiler(dir) {
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 250 });
  let running = false;
  return (n) => {
    const start = () => session.post("Profiler.start", () => (running = true));
    if (!running) return start();
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(`${dir}/${process.pid}-${n}.cpuprofile`, JSON.stringify(result.profile));
      start();
    });
  };
}

const target = process.env.BENCH_PROBE_FILE;
if (target) {
  const probe = createProbe();
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? windowProfiler(process.env.BENCH_CPU_PROFILE_DIR) : undefined;
  let n = 0;
  process.on("SIGUSR2", () => {
    n += 1;
    writeFileSync(`${target}.tmp`, JSON.stringify({ n, ...probe.snapshot() }));
    renameSync(`${target}.tmp`, target);
    probe.reset();
    profile?.(n);
  });
}
