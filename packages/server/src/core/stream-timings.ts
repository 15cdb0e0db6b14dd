import type { Metrics } from "./ports.ts";

/**
 * One answer's upstream timings for metrics: time to first token, tokens read, and the
 * answer's token rate (tokens after the first over the time from first to last token).
 */
export class StreamTimings {
  private requestedAt: number | undefined;
  private firstAt: number | undefined;
  private lastAt = 0;
  private tokens = 0;

  constructor(
    private readonly metrics: Metrics,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The upstream request went out. */
  requested(): void {
    this.requestedAt = this.now();
  }

  wasRequested(): boolean {
    return this.requestedAt !== undefined;
  }

  /** A token (text or reasoning event) arrived; returns when. */
  token(): number {
    const at = this.now();
    if (this.firstAt === undefined) {
      this.firstAt = at;
      this.metrics.firstToken(at - (this.requestedAt ?? at));
    }
    this.lastAt = at;
    this.tokens++;
    this.metrics.upstreamTokens(1);
    return at;
  }

  ended(status: string): void {
    const seconds = this.firstAt === undefined ? 0 : (this.lastAt - this.firstAt) / 1000;
    this.metrics.answerEnded(status, this.tokens > 1 && seconds > 0 ? (this.tokens - 1) / seconds : undefined);
  }
}
