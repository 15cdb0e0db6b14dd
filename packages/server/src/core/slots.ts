/**
 * A bound on answers this node streams from the LLM at once (LLM_MAX_CONCURRENT; 0 = none).
 * Waiters are served first come, first served; a waiter whose signal aborts leaves the line.
 */
export class UpstreamSlots {
  private busy = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  /** True when a slot is free now (or there is no bound). */
  available(): boolean {
    return this.max === 0 || this.busy < this.max;
  }

  /**
   * Resolves with a release function once a slot is held; with a no-op when `signal` aborts first
   * (check the signal before streaming).
   */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.available()) return this.take();
    if (signal.aborted) return noop;
    return new Promise((resolve) => {
      const turn = () => {
        signal.removeEventListener("abort", leave);
        resolve(this.take());
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(turn), 1);
        resolve(noop);
      };
      this.waiting.push(turn);
      signal.addEventListener("abort", leave, { once: true });
    });
  }

  private take(): () => void {
    this.busy += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy -= 1;
      this.waiting.shift()?.();
    };
  }
}

function noop(): void {
  // Nothing was held.
}
