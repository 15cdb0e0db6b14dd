/**
 * CPU pinning with `taskset` (util-linux). With BENCH_PIN=1 on a machine with ≥ 2 cores the server
 * processes get CPU 0 and the load generators (and the relay's peers) the remaining CPUs, so the
 * measuring side cannot steal the server's core. Without taskset or with one core, nothing is pinned.
 */
import { execFileSync } from "node:child_process";
import os from "node:os";

export interface Placement {
  /** CPU list for server nodes and the ws relay (taskset syntax), or undefined: not pinned. */
  server: string | undefined;
  /** CPU list for load generators and redis-server. */
  load: string | undefined;
}

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    // Not installed (or not Linux): run unpinned.
    return false;
  }
}

export function placement(wanted: boolean): Placement {
  const cores = os.cpus().length;
  if (!wanted || cores < 2 || !hasTaskset()) return { server: undefined, load: undefined };
  return { server: "0", load: cores === 2 ? "1" : `1-${cores - 1}` };
}

/** Pins every thread of `pid` to `cpus`. */
export function pin(pid: number, cpus: string): void {
  execFileSync("taskset", ["-a", "-cp", cpus, String(pid)], { stdio: "ignore" });
}

export function describe(p: Placement): string {
  return p.server === undefined
    ? "not pinned (all processes share all cores)"
    : `server on CPU ${p.server}, load generators on CPU ${p.load}`;
}
