/** The bounds of a room's coalescing window and the share of the event loop its broadcasts may take. */
export interface WindowRule {
  /** The window while broadcasts are cheap (COALESCE_MS). */
  minMs: number;
  /** The widest it grows (COALESCE_MAX_MS): tokens never wait longer than this for a batch. */
  maxMs: number;
  /** Share of the node's event loop one room's broadcasts may keep busy (COALESCE_BUSY_SHARE, 0 < share ≤ 1). */
  busyShare: number;
}

/**
 * A window only shrinks once the cost asks for one at least this much narrower: the noise of one
 * cheap broadcast among costly ones must not make it flap.
 */
export const HOLD_BAND = 0.2;
/** While shrinking, the window halves its distance to what the cost asks for every this many ms. */
export const SHRINK_HALF_LIFE_MS = 1000;
/**
 * The cost of a room's broadcasts is the median of its last this many (a room not yet seen broadcast
 * cheaply): one broadcast made slow by a GC pause or by the OS running another process meanwhile
 * must not widen a small room's window; two costly ones in a row do.
 */
export const COST_SAMPLES = 3;

/**
 * The coalescing window of one room, from what its broadcasts cost this node's event loop. A
 * cost of `c` ms (the median of the last COST_SAMPLES broadcasts) asks for a window of at least
 * c / busyShare (within the bounds), so that broadcasting never keeps the loop busier than the
 * share. It grows at once (the next broadcast would overload the loop) and shrinks slowly, and only
 * past the hold band (a falling cost may be noise, and a window that flaps makes batch sizes flap).
 */
export class AdaptiveWindow {
  /** The window at `since`. */
  private held: number;
  /** What the window is shrinking towards (equal to `held` when holding). */
  private floor: number;
  private since: number;
  /** The costs of the last COST_SAMPLES broadcasts, oldest first. */
  private readonly costs: number[] = Array<number>(COST_SAMPLES).fill(0);

  constructor(
    private readonly rule: WindowRule,
    private readonly now: () => number,
  ) {
    this.held = rule.minMs;
    this.floor = rule.minMs;
    this.since = now();
  }

  /** One of the room's broadcasts kept the event loop busy for `costMs`. */
  observe(costMs: number): void {
    this.costs.shift();
    this.costs.push(costMs);
    const current = this.currentMs();
    const wanted = this.wantedFor(median(this.costs));
    this.held = current;
    this.since = this.now();
    this.floor = wanted < current * (1 - HOLD_BAND) ? wanted : current;
    if (wanted > current) this.held = this.floor = wanted;
  }

  /** The window now, in ms: between the rule's bounds. */
  currentMs(): number {
    const elapsed = this.now() - this.since;
    return this.floor + (this.held - this.floor) * 2 ** (-elapsed / SHRINK_HALF_LIFE_MS);
  }

  /** True while the window is at its minimum (within half a ms). */
  atMinimum(): boolean {
    return this.currentMs() - this.rule.minMs < 0.5;
  }

  /** When the room last broadcast (a time of `now`). */
  lastObservedAt(): number {
    return this.since;
  }

  private wantedFor(costMs: number): number {
    const { minMs, maxMs, busyShare } = this.rule;
    return Math.min(maxMs, Math.max(minMs, costMs / busyShare));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
