/**
 * Replays one finished answer at its original pace (replay-schedule.ts), once per animation
 * frame, until the whole text shows or the reader skips ("Show all"). Under
 * `prefers-reduced-motion` (or `instant`) it shows the whole text at once. Framework-free: the
 * clock, the frames and the motion preference are injected.
 */
import type { AnswerTiming } from "@tokencast/protocol";
import { animationFrames, type FrameScheduler } from "./markdown-view.ts";
import { charsAt, prefixOf, replayDuration, replayPoints } from "./replay-schedule.ts";
import { prefersReducedMotion } from "./smooth-reveal.ts";

export interface ReplayOptions {
  frames?: FrameScheduler;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
  reducedMotion?: () => boolean;
}

export class AnswerReplay {
  readonly #text: string;
  readonly #points: AnswerTiming;
  readonly #show: (visible: string, done: boolean) => void;
  readonly #frames: FrameScheduler;
  readonly #now: () => number;
  readonly #startedAt: number;
  #frame: number | undefined;
  #done = false;

  /** `show` gets each longer prefix of `text`; `done` is true with the last (the whole text). */
  constructor(
    text: string,
    timing: AnswerTiming | undefined,
    show: (visible: string, done: boolean) => void,
    options: ReplayOptions = {},
  ) {
    this.#text = text;
    this.#points = replayPoints(text, timing);
    this.#show = show;
    this.#frames = options.frames ?? animationFrames;
    this.#now = options.now ?? (() => performance.now());
    this.#startedAt = this.#now();
    if ((options.reducedMotion ?? prefersReducedMotion)()) this.skip();
    else this.#step();
  }

  get done(): boolean {
    return this.#done;
  }

  /** How long the whole replay takes, in ms. */
  get durationMs(): number {
    return replayDuration(this.#points);
  }

  /** Shows the whole text now and ends the replay. */
  skip(): void {
    if (this.#done) return;
    this.#finish();
  }

  /** Stops without showing anything more (the view is going away). */
  destroy(): void {
    this.#done = true;
    this.#cancelFrame();
  }

  #step(): void {
    this.#frame = undefined;
    const length = charsAt(this.#points, this.#now() - this.#startedAt);
    if (length >= this.#text.length) return this.#finish();
    this.#show(prefixOf(this.#text, length), false);
    this.#frame = this.#frames.request(() => this.#step());
  }

  #finish(): void {
    this.#done = true;
    this.#cancelFrame();
    this.#show(this.#text, true);
  }

  #cancelFrame(): void {
    if (this.#frame !== undefined) this.#frames.cancel(this.#frame);
    this.#frame = undefined;
  }
}
