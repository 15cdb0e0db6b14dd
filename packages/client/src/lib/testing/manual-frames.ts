import type { FrameScheduler } from "../markdown-view.ts";

export type ManualFrames = FrameScheduler & { pending: number; run(): void };

/** Animation frames that run only when the test says so. */
export function manualFrames(): ManualFrames {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  return {
    request(callback) {
      callbacks.set(next, callback);
      return next++;
    },
    cancel: (handle) => void callbacks.delete(handle),
    get pending() {
      return callbacks.size;
    },
    run() {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const callback of due) callback();
    },
  };
}
