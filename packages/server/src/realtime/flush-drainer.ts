import type { BroadcastCosts } from "../core/ports.ts";
import type { EngineConnection } from "./deferred-flush.ts";

/** Connections flushed between two looks at the clock. */
const CHECK_EVERY = 64;

/** A broadcast whose pass (`passMs`) left `connections` to flush; `streamed`: a delta or reasoning. */
export interface Broadcast {
  roomId: string;
  connections: EngineConnection[];
  passMs: number;
  streamed: boolean;
}

/** One broadcast's connections still to flush, and what the broadcast has cost the loop so far. */
interface Job extends Broadcast {
  next: number;
  costMs: number;
}

/**
 * Flushes the connections of large broadcasts in slices of about `sliceMs` per turn of the event
 * loop, oldest broadcast first, so that joins, stops and other rooms run between two slices. When
 * a streamed broadcast's last connection is flushed, what it cost the loop (its pass plus every
 * slice) goes to `costs`, and the room's coalescing window adapts to it as to any broadcast.
 */
export class FlushDrainer {
  private readonly jobs: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly costs: BroadcastCosts,
    private readonly sliceMs: number,
  ) {}

  /** Flushes the broadcast's connections on later turns; a streamed one's cost goes to `costs` once done. */
  add(broadcast: Broadcast): void {
    if (broadcast.streamed) this.costs.fanOutStarted?.(broadcast.roomId);
    this.jobs.push({ ...broadcast, next: 0, costMs: broadcast.passMs });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Broadcasts not yet flushed to everyone. */
  get pending(): number {
    return this.jobs.length;
  }

  /** At least CHECK_EVERY connections per turn, however short the slice. */
  private drain(): void {
    this.scheduled = false;
    const startedAt = performance.now();
    do this.flushSome(this.jobs[0]!);
    while (this.jobs.length > 0 && performance.now() - startedAt < this.sliceMs);
    if (this.jobs.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private flushSome(job: Job): void {
    const startedAt = performance.now();
    const end = Math.min(job.next + CHECK_EVERY, job.connections.length);
    for (; job.next < end; job.next++) flushQuietly(job.connections[job.next]!);
    job.costMs += performance.now() - startedAt;
    if (job.next < job.connections.length) return;
    this.jobs.shift();
    if (job.streamed) this.costs.observe(job.roomId, job.costMs);
  }
}

/**
 * A connection's flush, whatever becomes of it: the slice runs outside any request (a throw would
 * end the process) and the room's next batch waits for the last one of the job.
 */
function flushQuietly(connection: EngineConnection): void {
  try {
    connection.flush();
  } catch {
    // The connection broke while its packets waited; engine.io closes it and the client resumes.
  }
}
