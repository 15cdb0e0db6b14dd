import { AdaptiveWindow, type WindowRule } from "./adaptive-window.ts";
import type { BroadcastCosts } from "./ports.ts";

/** A room whose window is at its minimum and that has not broadcast for this long is forgotten. */
export const FORGET_AFTER_MS = 10_000;

/**
 * The coalescing window of every room on this node. Each adapts to its own broadcasts: a big room
 * batches more, a small room beside it keeps its short window. Rooms that have not broadcast lately
 * and are back at the minimum are forgotten (swept at most once per FORGET_AFTER_MS).
 */
export class RoomWindows implements BroadcastCosts {
  private readonly rooms = new Map<string, AdaptiveWindow>();
  private sweptAt: number;

  constructor(
    private readonly rule: WindowRule,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sweptAt = now();
  }

  /** A window that never adapts: always `ms` (unit tests, tools). */
  static fixed(ms: number): RoomWindows {
    return new RoomWindows({ minMs: ms, maxMs: ms, busyShare: 1 });
  }

  observe(roomId: string, costMs: number): void {
    if (this.rule.maxMs <= this.rule.minMs) return;
    let window = this.rooms.get(roomId);
    if (window === undefined) this.rooms.set(roomId, (window = new AdaptiveWindow(this.rule, this.now)));
    window.observe(costMs);
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

  private sweep(): void {
    this.sweptAt = this.now();
    for (const [roomId, window] of this.rooms) {
      const quiet = this.sweptAt - window.lastObservedAt() >= FORGET_AFTER_MS;
      if (quiet && window.atMinimum()) this.rooms.delete(roomId);
    }
  }
}
