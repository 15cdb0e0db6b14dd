/**
 * Per-room trailing throttle for presence broadcasts: the first change in a quiet room goes out
 * at once; further changes within the room's interval (`intervalMs(room)`, read as each window
 * opens) are folded into one broadcast at its end.
 */
export class PresenceThrottle {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly intervalMs: (roomId: string) => number,
    private readonly publish: (roomId: string) => void,
  ) {}

  changed(roomId: string): void {
    if (this.timers.has(roomId)) {
      this.dirty.add(roomId);
      return;
    }
    this.publish(roomId);
    this.timers.set(
      roomId,
      setTimeout(() => this.windowEnded(roomId), this.intervalMs(roomId)),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.dirty.clear();
  }

  private windowEnded(roomId: string): void {
    this.timers.delete(roomId);
    if (!this.dirty.delete(roomId)) return;
    this.changed(roomId);
  }
}
