/**
 * How the node's broadcast budget (COALESCE_BUSY_SHARE of its event loop) is shared among the rooms
 * streaming on it: max-min fair ("water filling"). A room whose broadcasts cost `c` ms and that
 * broadcasts every `w` ms keeps the loop busy c / w of the time. Every room is granted the same
 * share `level`, except rooms that need less even at the minimum window (they keep the minimum) and
 * rooms that need more even at the maximum (they keep the maximum): a room's window is then
 * c / level within the bounds, so bigger rooms widen more and small rooms stay short while the
 * node has room. Alone on the node, a room gets the whole budget (level = budget). Every room is
 * granted at least an even split of the budget, even when rooms at the maximum window overspend
 * it: widening a small room would not give the node back what a huge one takes, only delay it.
 */

/** Bisection steps for the level: the budget ÷ 2^40 is far below any cost that matters. */
const LEVEL_STEPS = 40;

export interface Budget {
  /** The share of the loop all rooms' broadcasts together may keep busy. */
  share: number;
  minMs: number;
  maxMs: number;
}

/**
 * The share of the loop each room may take, given every streaming room's broadcast cost (ms):
 * Infinity when all rooms fit at the minimum window, at least budget ÷ rooms.
 */
export function fairLevel(costs: number[], budget: Budget): number {
  const busyAt = (level: number) => costs.reduce((sum, cost) => sum + cost / windowFor(cost, level, budget), 0);
  if (busyAt(Infinity) <= budget.share) return Infinity;
  return Math.max(budget.share / costs.length, fillingLevel(busyAt, budget.share));
}

/** The level at which the rooms keep the loop busy exactly `share` (0 if they overspend it at any level). */
function fillingLevel(busyAt: (level: number) => number, share: number): number {
  if (busyAt(0) >= share) return 0;
  // busyAt grows with the level; at level = share it is at least the share (some room takes it, or all
  // rooms at the minimum window together exceed it).
  let [low, high] = [0, share];
  for (let step = 0; step < LEVEL_STEPS; step++) {
    const middle = (low + high) / 2;
    if (busyAt(middle) > share) high = middle;
    else low = middle;
  }
  return low;
}

/** The window of a room whose broadcasts cost `costMs` at a share `level` of the loop. */
export function windowFor(costMs: number, level: number, bounds: { minMs: number; maxMs: number }): number {
  if (costMs <= 0) return bounds.minMs;
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, costMs / level));
}
