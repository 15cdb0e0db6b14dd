export interface CoalescerOptions {
  /**
   * Minimum time between two flushes, in ms (0: one flush per event-loop turn); a function is read
   * each time a flush is scheduled (the room's adaptive window).
   */
  windowMs: number | (() => number);
  /** Flush at once when this many characters are buffered. */
  maxChars: number;
  /** Receives each batch; called synchronously from push() (maxChars) or flushNow(), else from setImmediate. */
  flush: (text: string) => void;
  /**
   * While the previous batch is still being written out (a paced fan-out to a large audience), a
   * promise of when it is done: a batch that falls due waits for it (and takes in what arrives
   * meanwhile) instead of queueing behind it. Undefined when nothing is being written.
   */
  fanOutDone?: () => Promise<void> | undefined;
  now?: () => number;
}

/**
 * Batches tokens into deltas. Leading-edge throttle: a token arriving after a quiet window is
 * flushed at the end of the current event-loop turn (no added latency at human token rates);
 * tokens arriving faster are held until the window since the last flush has passed, so each
 * viewer gets at most one delta per window.
 *
 * A flush that falls due waits for setImmediate, i.e. until the I/O already received has been
 * read. A broadcast to a large room blocks the loop for tens of ms; without this, the first
 * token read after it (or the window timer, which runs before I/O) would go out alone and the
 * tokens that arrived meanwhile would wait a whole further window and a further broadcast.
 */
export class Coalescer {
  private buffer = "";
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  /** A due flush waits for the previous batch's fan-out (see `fanOutDone`). */
  private waiting = false;
  private readonly now: () => number;

  constructor(private readonly options: CoalescerOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  push(text: string): void {
    if (text === "") return;
    this.buffer += text;
    if (this.buffer.length >= this.options.maxChars) {
      this.flushNow();
      return;
    }
    this.schedule();
  }

  /** Flushes whatever is buffered, now, and cancels the pending timer. */
  flushNow(): void {
    this.cancelTimer();
    if (this.buffer === "") return;
    const text = this.buffer;
    this.buffer = "";
    this.lastFlushAt = this.now();
    this.options.flush(text);
  }

  dispose(): void {
    this.cancelTimer();
    this.buffer = "";
  }

  private schedule(): void {
    if (this.timer !== undefined || this.immediate !== undefined || this.waiting) return;
    const wait = this.lastFlushAt + this.windowMs() - this.now();
    if (wait <= 0) {
      this.flushSoon();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushSoon();
    }, wait);
  }

  private windowMs(): number {
    const { windowMs } = this.options;
    return typeof windowMs === "number" ? windowMs : windowMs();
  }

  /** Flushes once the I/O already received in this turn of the event loop has been read. */
  private flushSoon(): void {
    this.immediate ??= setImmediate(() => {
      this.immediate = undefined;
      const fanOut = this.options.fanOutDone?.();
      if (fanOut === undefined) return this.flushNow();
      this.waiting = true;
      void fanOut.then(() => this.flushAfterFanOut());
    });
  }

  private flushAfterFanOut(): void {
    if (!this.waiting) return; // flushed or disposed meanwhile
    this.waiting = false;
    this.flushNow();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.waiting = false;
    this.immediate = undefined;
  }
}
