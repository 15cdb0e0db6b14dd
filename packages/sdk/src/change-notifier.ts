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
      for (const listener of [...this.listeners]) callSafely(listener);
    });
  }
}

function callSafely(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    // One failing subscriber must not starve the others; report it and go on.
    console.error("RoomConnection subscriber failed", error);
  }
}
