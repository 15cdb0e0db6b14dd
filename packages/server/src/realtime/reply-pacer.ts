/**
 * Join snapshots and history pages (up to JOIN_HISTORY_BYTES each) are read, measured and sent in
 * runs of at most PACED_MS_PER_TURN per turn of the event loop. A burst of them (a join flood, or
 * an audience arriving at once) would otherwise be cloned, serialised and written back to back in
 * one go — 80 snapshots of 200 KB held the loop for 100–200 ms, delaying every live delta on the
 * node; paced, the loop runs its timers and I/O between two runs. A run is bounded by time, not
 * by count: one reply per turn capped a join storm at one join per two loop turns (a few dozen a
 * second while the node fans an answer out to thousands), and joins waited many seconds in line.
 */

/** Paced work one loop turn may start (a reply begun within it runs to its end). */
export const PACED_MS_PER_TURN = 4;

export class ReplyPacer {
  /** When the current run began (its first reply, in a check phase); undefined once the loop moved on. */
  private runStartedAt: number | undefined;

  constructor(
    private readonly budgetMs = PACED_MS_PER_TURN,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Resolves when the caller may read or send its reply: at once while the current run has time
   * left, else in a setImmediate callback of its own. Node runs every microtask between two such
   * callbacks, so the reply admitted in one (read, serialised, written) is done before the next
   * callback looks at the clock; callers waiting past a spent run go in a later loop turn, in order.
   */
  turn(): Promise<void> {
    if (this.hasTimeLeft()) return Promise.resolve();
    return new Promise((resolve) => setImmediate(() => this.admit(resolve)));
  }

  private admit(resolve: () => void): void {
    if (this.runStartedAt === undefined) this.startRun();
    else if (!this.hasTimeLeft()) return void setImmediate(() => this.admit(resolve));
    resolve();
  }

  private hasTimeLeft(): boolean {
    return this.runStartedAt !== undefined && this.now() - this.runStartedAt < this.budgetMs;
  }

  /** The run ends when the loop comes round again: an immediate queued now runs in the next turn. */
  private startRun(): void {
    const startedAt = this.now();
    this.runStartedAt = startedAt;
    setImmediate(() => {
      if (this.runStartedAt === startedAt) this.runStartedAt = undefined;
    });
  }
}
