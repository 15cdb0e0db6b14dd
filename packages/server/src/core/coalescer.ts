export interface CoalescerOptions {
  /** Minimum time between two flushes, in ms (0 flushes every push at once). */
  windowMs: number;
  /** Flush at once when this many characters are buffered. */
  maxChars: number;
  /** Receives each batch; called synchronously from push() or from a timer. */
  flush: (text: string) => void;
  now?: () => number;
}

/**
 * Batches tokens into deltas. Leading-edge throttle: a token arriving after a quiet window is
 * flushed at once (no added latency at human token rates); tokens arriving faster are held until
 * the window since the last flush has passed, so each viewer gets at most one delta per window.
 */
export class Coalescer {
  private buffer = "";
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
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
    if (this.timer !== undefined) return;
    const wait = this.lastFlushAt + this.options.windowMs - this.now();
    if (wait <= 0) {
      this.flushNow();
      return;
    }
    this.timer = setTimeout(() => this.flushNow(), wait);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
