import type { UpstreamSlots } from "../core/ports.ts";

interface Waiter {
  id: string;
  onPlace: (place: number) => void;
  grant: () => void;
}

/**
 * Upstream slots of a single node (LLM_MAX_CONCURRENT; 0 = no bound). Waiters are served first
 * come, first served and told their place in line whenever it changes; a waiter whose signal
 * aborts leaves the line.
 */
export class MemorySlots implements UpstreamSlots {
  private busy = 0;
  private readonly line: Waiter[] = [];

  constructor(private readonly max: number) {}

  async acquire(id: string, signal: AbortSignal, onPlace: (place: number) => void): Promise<() => void> {
    if (signal.aborted) return noop;
    if (this.free() && this.line.length === 0) return this.take();
    return new Promise((resolve) => {
      const leave = () => {
        this.remove(waiter);
        resolve(noop);
      };
      const waiter: Waiter = {
        id,
        onPlace,
        grant: () => {
          signal.removeEventListener("abort", leave);
          resolve(this.take());
        },
      };
      this.line.push(waiter);
      signal.addEventListener("abort", leave, { once: true });
      onPlace(this.line.length);
    });
  }

  /** Answers waiting for a slot. */
  waiting(): number {
    return this.line.length;
  }

  private free(): boolean {
    return this.max === 0 || this.busy < this.max;
  }

  private take(): () => void {
    this.busy += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy -= 1;
      this.serve();
    };
  }

  private serve(): void {
    let moved = false;
    while (this.free() && this.line.length > 0) {
      this.line.shift()?.grant();
      moved = true;
    }
    if (moved) this.tellPlaces();
  }

  private remove(waiter: Waiter): void {
    const index = this.line.indexOf(waiter);
    if (index < 0) return;
    this.line.splice(index, 1);
    this.tellPlaces(index);
  }

  private tellPlaces(from = 0): void {
    for (let i = from; i < this.line.length; i++) this.line[i]!.onPlace(i + 1);
  }
}

function noop(): void {
  // Nothing was held.
}
