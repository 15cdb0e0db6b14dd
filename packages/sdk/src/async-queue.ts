/**
 * Values pushed by event listeners, pulled by a `for await` loop: nothing is lost while the
 * loop is busy, and the loop ends (or throws) once the queue is ended and drained.
 */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wakeUp();
  }

  /** No more items: the loop finishes after the ones queued, throwing `failure` if given. */
  end(failure?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wakeUp();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length > 0) yield this.items.shift() as T;
      else if (this.ended) return this.finish();
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private finish(): void {
    if (this.failure) throw this.failure;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
