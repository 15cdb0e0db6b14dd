import { AdaptiveWindow, type WindowRule } from "./adaptive-window.ts";
import type { BroadcastCosts } from "./ports.ts";

/**
 * The coalescing window of every room on this node (each adapts to its own broadcasts: a big
 * room batches more, a small room beside it keeps its short window). Only rooms whose window is
 * above the minimum are kept; the others have the minimum.
 */
export class RoomWindows implements BroadcastCosts {
  private readonly widened = new Map<string, AdaptiveWindow>();

  constructor(
    private readonly rule: WindowRule,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A window that never adapts: always `ms` (unit tests, tools). */
  static fixed(ms: number): RoomWindows {
    return new RoomWindows({ minMs: ms, maxMs: ms, busyShare: 1 });
  }

  observe(roomId: string, costMs: number): void {
    if (this.rule.maxMs <= this.rule.minMs) return;
    const window = this.widened.get(roomId) ?? new AdaptiveWindow(this.rule, this.now);
    window.observe(costMs);
    if (window.atMinimum()) this.widened.delete(roomId);
    else this.widened.set(roomId, window);
  }

  /** The room's window now, in ms. */
  windowMs(roomId: string): number {
    const window = this.widened.get(roomId);
    if (window === undefined) return this.rule.minMs;
    if (!window.atMinimum()) return window.currentMs();
    this.widened.delete(roomId);
    return this.rule.minMs;
  }

  /** The widest window of any room on this node, in ms (the minimum when none is widened). */
  widestMs(): number {
    this.forgetNarrowed();
    let widest = this.rule.minMs;
    for (const window of this.widened.values()) widest = Math.max(widest, window.currentMs());
    return widest;
  }

  /** How many rooms on this node have a window above the minimum. */
  widenedRooms(): number {
    this.forgetNarrowed();
    return this.widened.size;
  }

  private forgetNarrowed(): void {
    for (const [roomId, window] of this.widened) if (window.atMinimum()) this.widened.delete(roomId);
  }
}
