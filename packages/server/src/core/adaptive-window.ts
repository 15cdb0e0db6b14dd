import { windowFor } from "./broadcast-budget.ts";

/** The bounds of a room's coalescing window and the share of the event loop broadcasts may take. */
export interface WindowRule {
  /** The window while broadcasts are cheap (COALESCE_MS). */
  minMs: number;
  /** The widest it grows (COALESCE_MAX_MS): tokens never wait longer than this for a batch. */
  maxMs: number;
  /**
   * Share of the node's event loop the broadcasts of all its rooms together may keep busy
   * (COALESCE_BUSY_SHARE, 0 < share ≤ 1); RoomWindows shares it out among the rooms.
   */
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
 * c / share (within the bounds), so that the room's broadcasting never keeps the loop busier than
 * the share it is granted (the whole busyShare when alone, see broadcast-budget.ts). It grows at
 * once (the next broadcast would overload the loop) and shrinks slowly, and only past the hold
 * band (a falling cost may be noise, and a window that flaps makes batch sizes flap).
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

  /** One of the room's broadcasts kept the event loop busy for `costMs`; the room may take `share` of the loop. */
  observe(costMs: number, share = this.rule.busyShare): void {
    this.record(costMs);
    this.adapt(share);
  }

  /** Counts one broadcast's cost in the room's cost (`costMs()`), without adapting the window yet. */
  record(costMs: number): void {
    this.costs.shift();
    this.costs.push(costMs);
  }

  /** Aims the window at the room's cost ÷ `share` (the share of the loop the room may take now). */
  adapt(share: number): void {
    const current = this.currentMs();
    const wanted = windowFor(this.costMs(), share, this.rule);
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

  /** What one of the room's broadcasts costs, in ms: the median of the last COST_SAMPLES. */
  costMs(): number {
    return median(this.costs);
  }

  /** When the room last broadcast (a time of `now`). */
  lastObservedAt(): number {
    return this.since;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
