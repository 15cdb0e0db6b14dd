import { MAX_TIMING_POINTS, type AnswerTiming } from "@tokencast/protocol";

/**
 * Records when an answer's text arrived, as `[offsetMs, chars]` pairs (protocol's AnswerTiming),
 * kept within MAX_TIMING_POINTS: when full, every other point goes (the last one always stays),
 * so a long answer keeps its shape at a coarser grain and the stored message stays small.
 */
export class TimingRecorder {
  private readonly points: AnswerTiming = [];
  private startedAt: number | undefined;

  constructor(
    private readonly now: () => number,
    private readonly maxPoints = MAX_TIMING_POINTS,
  ) {}

  /** The model was asked: offsets count from here (a wait for a free LLM slot does not count). */
  start(): void {
    this.startedAt ??= this.now();
  }

  /** `chars` characters of text have arrived in all, by now. */
  arrived(chars: number): void {
    const offset = Math.max(0, Math.round(this.now() - (this.startedAt ?? this.now())));
    this.points.push([offset, chars]);
    if (this.points.length > this.maxPoints) this.thin();
  }

  /** The pairs so far; undefined before any text (an empty list would say nothing). */
  timing(): AnswerTiming | undefined {
    return this.points.length > 0 ? this.points.map(([offset, chars]) => [offset, chars]) : undefined;
  }

  /** Keeps every other point, counting back from the last. */
  private thin(): void {
    const last = this.points.length - 1;
    const kept = this.points.filter((_, index) => (last - index) % 2 === 0);
    this.points.splice(0, this.points.length, ...kept);
  }
}
