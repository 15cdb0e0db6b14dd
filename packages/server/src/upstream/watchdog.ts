import { AppError } from "../core/errors.ts";

/**
 * Two timeouts for one upstream request: until the first token (models may load lazily, so this
 * one is long), then between reads once tokens flow. Fires `onTimeout` once with the reason.
 */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private streaming = false;
  error: AppError | undefined;

  constructor(
    private readonly firstTokenMs: number,
    private readonly idleMs: number,
    private readonly onTimeout: (error: AppError) => void,
  ) {
    this.arm(firstTokenMs, () => `The LLM server sent no first token within ${seconds(firstTokenMs)}.`);
  }

  /** A token arrived: from now on only silence between reads counts. */
  token(): void {
    if (this.streaming) return;
    this.streaming = true;
    this.activity();
  }

  /** Bytes (or a keep-alive comment) arrived. */
  activity(): void {
    if (!this.streaming || this.error) return;
    this.arm(this.idleMs, () => `The LLM server went silent for ${seconds(this.idleMs)} mid-answer.`);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number, message: () => string): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.error = new AppError("upstream_timeout", message());
      this.onTimeout(this.error);
    }, ms);
  }
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
