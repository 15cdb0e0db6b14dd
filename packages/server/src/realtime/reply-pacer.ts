/**
 * Join snapshots and history pages (up to JOIN_HISTORY_BYTES each) are read, measured and sent one
 * per turn of the event loop. A burst of them (a join flood, or an audience arriving at once) would
 * otherwise be cloned, serialised and written back to back in one go — 80 snapshots of 200 KB held
 * the loop for 100–200 ms, delaying every live delta on the node; paced, the loop runs its timers
 * and I/O between any two of them.
 */
export class ReplyPacer {
  private queue: Promise<void> = Promise.resolve();

  /** Resolves in a loop turn of its own: after every turn asked for before it, each in a later iteration. */
  turn(): Promise<void> {
    const mine = this.queue.then(nextLoopTurn);
    this.queue = mine;
    return mine;
  }
}

/** A callback queued by setImmediate from inside another runs in the next loop iteration, after timers and I/O. */
function nextLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
