import { AdaptiveWindow, type WindowRule } from "./adaptive-window.ts";
import { fairLevel } from "./broadcast-budget.ts";
import type { BroadcastCosts } from "./ports.ts";

/** A room whose window is at its minimum and that has not broadcast for this long is forgotten. */
export const FORGET_AFTER_MS = 10_000;
/**
 * A room that broadcast within this long counts as streaming: its broadcasts take a part of the
 * node's budget (a slow model's answer broadcasts a few times a second; an ended answer's room
 * stops counting after this).
 */
export const STREAMING_MS = 1000;
/**
 * The rooms' fair share of the budget is worked out again at most this often: it costs passes over
 * the streaming rooms, and broadcasts come by thousands a second. (A room that starts streaming
 * counts from its second broadcast anyway: its cost is the median of its last three.)
 */
export const LEVEL_EVERY_MS = 20;

/**
 * The coalescing window of every room on this node. Each adapts to its own broadcasts within the
 * share of the node-wide budget it is granted (broadcast-budget.ts): rooms that together would keep
 * the loop busier than COALESCE_BUSY_SHARE widen, the costliest the most, while a small room beside
 * a big one keeps its short window. Rooms that have not broadcast lately and are back at the
 * minimum are forgotten (swept at most once per FORGET_AFTER_MS).
 */
export class RoomWindows implements BroadcastCosts {
  private readonly rooms = new Map<string, AdaptiveWindow>();
  private sweptAt: number;
  /** The share each streaming room may take (fairLevel), as of `levelAt`. */
  private level: number;
  private levelAt: number;

  constructor(
    private readonly rule: WindowRule,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sweptAt = now();
    this.level = rule.busyShare;
    this.levelAt = -Infinity;
  }

  /** A window that never adapts: always `ms` (unit tests, tools). */
  static fixed(ms: number): RoomWindows {
    return new RoomWindows({ minMs: ms, maxMs: ms, busyShare: 1 });
  }

  observe(roomId: string, costMs: number): void {
    if (this.rule.maxMs <= this.rule.minMs) return;
    let window = this.rooms.get(roomId);
    if (window === undefined) this.rooms.set(roomId, (window = new AdaptiveWindow(this.rule, this.now)));
    window.record(costMs);
    window.adapt(this.levelNow());
    if (this.now() - this.sweptAt >= FORGET_AFTER_MS) this.sweep();
  }

  /** The room's window now, in ms. */
  windowMs(roomId: string): number {
    return this.rooms.get(roomId)?.currentMs() ?? this.rule.minMs;
  }

  /** The widest window of any room on this node, in ms (the minimum when none is widened). */
  widestMs(): number {
    let widest = this.rule.minMs;
    for (const window of this.rooms.values()) widest = Math.max(widest, window.currentMs());
    return widest;
  }

  /** How many rooms on this node have a window above the minimum. */
  widenedRooms(): number {
    let widened = 0;
    for (const window of this.rooms.values()) if (!window.atMinimum()) widened++;
    return widened;
  }

  /** Rooms whose window this node keeps (broadcast lately, or still above the minimum). */
  trackedRooms(): number {
    return this.rooms.size;
  }

  /** The share of the loop each streaming room may take now. */
  private levelNow(): number {
    if (this.now() - this.levelAt >= LEVEL_EVERY_MS) {
      const costs = [...this.rooms.values()].filter((w) => this.streaming(w)).map((w) => w.costMs());
      this.level = fairLevel(costs, { share: this.rule.busyShare, minMs: this.rule.minMs, maxMs: this.rule.maxMs });
      this.levelAt = this.now();
    }
    return this.level;
  }

  private streaming(window: AdaptiveWindow): boolean {
    return this.now() - window.lastObservedAt() < STREAMING_MS;
  }

  private sweep(): void {
    this.sweptAt = this.now();
    for (const [roomId, window] of this.rooms) {
      const quiet = this.sweptAt - window.lastObservedAt() >= FORGET_AFTER_MS;
      if (quiet && window.atMinimum()) this.rooms.delete(roomId);
    }
  }
}
