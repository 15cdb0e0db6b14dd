/**
 * How long until the next batch of a streaming answer is expected: the median of the recent gaps
 * between batches, bounded. The server coalesces deltas into one frame per window (30 ms by default,
 * longer for large rooms), so the gaps between frames are the window as this viewer sees it.
 */

/** Below one animation frame there is nothing to spread a batch over. */
export const MIN_WINDOW_MS = 16;
/**
 * The server's longest coalescing window; a longer gap is the model pausing, not a window, and
 * revealing over it would hold text back longer than the server ever does.
 */
export const MAX_WINDOW_MS = 150;
/** Until two batches have arrived: the server's default coalescing window. */
export const DEFAULT_WINDOW_MS = 30;
/** Enough gaps for a median that shrugs off one pause or one burst. */
const RECENT_GAPS = 8;

export class ArrivalWindow {
  readonly #gaps: number[] = [];
  #last: number | undefined;

  /** Notes that a batch arrived at `now` (milliseconds). */
  record(now: number): void {
    if (this.#last !== undefined) this.#gaps.push(now - this.#last);
    if (this.#gaps.length > RECENT_GAPS) this.#gaps.shift();
    this.#last = now;
  }

  /** The expected time from one batch to the next, in milliseconds. */
  get ms(): number {
    if (this.#gaps.length === 0) return DEFAULT_WINDOW_MS;
    return Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, median(this.#gaps)));
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
