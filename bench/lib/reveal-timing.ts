/**
 * Rendering cost of the client's smooth reveal (packages/client/src/lib/smooth-reveal.ts): deltas
 * arrive in batches one coalescing window apart, and each batch is revealed over the frames until the
 * next. Every frame that shows more text renders once; these are the times of those frames.
 */
import { SmoothReveal } from "../../packages/client/src/lib/smooth-reveal.ts";
import { manualFrames } from "../../packages/client/src/lib/testing/manual-frames.ts";
import type { Renderer } from "./markdown-timing.ts";

/** 60 frames per second. */
const FRAME_MS = 1_000 / 60;

export interface Batching {
  /** Deltas per batch (the tokens one window holds). */
  deltas: number;
  windowMs: number;
}

/** Milliseconds of each animation frame that revealed text, batches arriving `windowMs` apart. */
export function timeRevealFrames(render: Renderer, deltas: readonly string[], batching: Batching): number[] {
  let clock = 0;
  const frames = manualFrames();
  const reveal = new SmoothReveal("", render, { frames, now: () => clock, reducedMotion: () => false });
  const times: number[] = [];
  const runFrames = (until: number): void => {
    for (; clock < until && frames.pending > 0; clock += FRAME_MS) {
      const start = performance.now();
      frames.run();
      times.push(performance.now() - start);
    }
    clock = Math.max(clock, until);
  };
  let text = "";
  for (let first = 0; first < deltas.length; first += batching.deltas) {
    text += deltas.slice(first, first + batching.deltas).join("");
    reveal.push(text);
    runFrames(clock + batching.windowMs);
  }
  runFrames(Number.POSITIVE_INFINITY);
  return times;
}

/** Per-frame times of whole-text and incremental rendering under the reveal: approach → ms per frame. */
export function timeRevealLevel(
  name: string,
  approaches: { old: () => Renderer; incremental: () => Renderer },
  deltas: readonly string[],
  batching: Batching,
): Array<[string, string, number[]]> {
  const label = `${name}, revealed per frame (${batching.deltas} deltas per ${batching.windowMs} ms batch)`;
  const whole = timeRevealFrames(approaches.old(), deltas, batching);
  const incremental = timeRevealFrames(approaches.incremental(), deltas, batching);
  return [
    [label, `whole text per frame (${whole.length} frames)`, whole],
    [label, `incremental (${incremental.length} frames)`, incremental],
  ];
}
