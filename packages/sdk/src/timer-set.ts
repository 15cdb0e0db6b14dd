/** Timeouts that can all be cancelled at once (on disconnect or close). Never keeps Node alive. */
export class TimerSet {
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();

  after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      run();
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    this.pending.add(timer);
  }

  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
