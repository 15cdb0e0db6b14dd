import { callSafely } from "./listener.ts";

/** Subscriber callbacks, batched: however many changes happen in one task, listeners run once after it. */
export class ChangeNotifier {
  private readonly listeners = new Set<() => void>();
  private queued = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      for (const listener of [...this.listeners]) callSafely(listener, undefined);
    });
  }
}
