/**
 * Reveals a streaming answer's text so that it looks like typing even when it arrives in big
 * batches (the server's coalescing window grows with the audience, up to 150 ms): each batch is
 * spread over the time until the next one is expected, a word (or grapheme) at a time, once per
 * animation frame — as the Vercel AI SDK's smoothStream does upstream. The promise: text that
 * arrived at time t is fully shown by t + the window estimated then (see arrival-window.ts), so
 * what a viewer sees is never more than one window behind what has arrived.
 *
 * Text that does not extend what is shown (a reset) is shown at once; under `prefers-reduced-motion`
 * each batch is shown whole at the next frame. Framework-free: the clock, the frames and the motion
 * preference are injected.
 */
import { ArrivalWindow } from "./arrival-window.ts";
import { animationFrames, type FrameScheduler } from "./markdown-view.ts";
import { revealEnd } from "./reveal-boundary.ts";

export interface RevealOptions {
  frames?: FrameScheduler;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
  /** Whether to show text at once, read on every batch (the preference may change while watching). */
  reducedMotion?: () => boolean;
}

/** A batch's promise: the text up to `length` is shown by `deadline`. */
interface Milestone {
  length: number;
  deadline: number;
}

export class SmoothReveal {
  readonly #show: (text: string) => void;
  readonly #frames: FrameScheduler;
  readonly #now: () => number;
  readonly #reducedMotion: () => boolean;
  readonly #window = new ArrivalWindow();
  #target: string;
  #visible: number;
  #milestones: Milestone[] = [];
  #lastStep = 0;
  #frame: number | undefined;

  /** `shown`: the text already on screen; `show` is called with each longer prefix to put there. */
  constructor(shown: string, show: (text: string) => void, options: RevealOptions = {}) {
    this.#target = shown;
    this.#visible = shown.length;
    this.#show = show;
    this.#frames = options.frames ?? animationFrames;
    this.#now = options.now ?? (() => performance.now());
    this.#reducedMotion = options.reducedMotion ?? prefersReducedMotion;
    // The text on screen came with a batch too: the gap to the next one is the first measure of the window.
    this.#window.record(this.#now());
  }

  /** The text shown so far. */
  get visible(): string {
    return this.#target.slice(0, this.#visible);
  }

  /**
   * Batches whose promise is still to keep. Bounded: promises already due ask for all their text,
   * so only the longest of them is kept (a hidden tab runs no frames while its batches pile up).
   */
  get pending(): number {
    return this.#milestones.length;
  }

  /** All the text that has arrived so far (it grows with each batch). */
  push(text: string): void {
    if (text === this.#target) return;
    const now = this.#now();
    this.#window.record(now);
    if (!text.startsWith(this.visible)) {
      this.finish(text);
      return;
    }
    this.#target = text;
    // Reduced motion: due at once, i.e. whole at the next frame (batches within one frame cost one render).
    const window = this.#reducedMotion() ? 0 : this.#window.ms;
    this.#milestones = [...stillDue(this.#milestones, now), { length: text.length, deadline: now + window }];
    if (this.#frame === undefined) this.#lastStep = now;
    this.#frame ??= this.#frames.request(() => this.#step());
  }

  /** Shows `text` whole, now (an answer that ended, stopped or failed), and stops revealing. */
  finish(text: string): void {
    this.destroy();
    this.#milestones = [];
    this.#target = text;
    this.#visible = text.length;
    this.#show(text);
  }

  destroy(): void {
    if (this.#frame !== undefined) this.#frames.cancel(this.#frame);
    this.#frame = undefined;
  }

  #step(): void {
    this.#frame = undefined;
    const now = this.#now();
    const goal = Math.ceil(this.#plannedLength(now));
    this.#lastStep = now;
    const visible = revealEnd(this.#target, this.#visible, goal);
    this.#milestones = this.#milestones.filter((milestone) => milestone.length > visible);
    if (visible > this.#visible) {
      this.#visible = visible;
      this.#show(this.visible);
    }
    if (this.#visible < this.#target.length) this.#frame = this.#frames.request(() => this.#step());
  }

  /**
   * How much should show at `now`: each pending batch asks for the rest of its text at an even pace
   * until its deadline; the most demanding one sets the pace. A missed deadline asks for it all.
   */
  #plannedLength(now: number): number {
    const elapsed = now - this.#lastStep;
    let planned = this.#visible;
    for (const { length, deadline } of this.#milestones) {
      const left = deadline - this.#lastStep;
      const share = left <= elapsed ? 1 : elapsed / left;
      planned = Math.max(planned, this.#visible + (length - this.#visible) * share);
    }
    return planned;
  }
}

/** The milestones not yet due, and the longest due one (it asks for at least what every due one does). */
function stillDue(milestones: readonly Milestone[], now: number): Milestone[] {
  const ahead = milestones.filter((milestone) => milestone.deadline > now);
  const due = milestones.filter((milestone) => milestone.deadline <= now);
  const longest = due.reduce<Milestone | undefined>((a, b) => (a && a.length >= b.length ? a : b), undefined);
  return longest ? [longest, ...ahead] : ahead;
}

let reducedMotionQuery: MediaQueryList | undefined;

export function prefersReducedMotion(): boolean {
  if (typeof matchMedia !== "function") return false;
  reducedMotionQuery ??= matchMedia("(prefers-reduced-motion: reduce)");
  return reducedMotionQuery.matches;
}
