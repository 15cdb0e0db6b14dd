/**
 * The models a room's owner may pick from: what the LLM server reports, asked at most once per
 * `ttlMs` whoever asks (one request in flight at a time), within `timeoutMs`. A failure is an
 * empty list (the picker still takes free text) and is cached too, so a dead upstream is not
 * asked on every page load.
 */
import type { ModelsResult } from "@tokencast/protocol";
import type { AnswerSource, Logger } from "./ports.ts";

/** How many ids are passed on: a picker shows a short list, and an odd upstream cannot bloat answers. */
export const MAX_LISTED_MODELS = 200;

export interface ModelListOptions {
  source: Pick<AnswerSource, "model" | "listModels">;
  ttlMs: number;
  timeoutMs: number;
  logger: Logger;
  now?: () => number;
}

export class ModelList {
  private cached: { result: ModelsResult; at: number } | undefined;
  private inFlight: Promise<ModelsResult> | undefined;

  constructor(private readonly options: ModelListOptions) {}

  /** The list, from the cache while it is fresh. Never throws. */
  current(): Promise<ModelsResult> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.options.ttlMs) return Promise.resolve(this.cached.result);
    this.inFlight ??= this.refresh(now).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async refresh(at: number): Promise<ModelsResult> {
    const result = await this.ask();
    this.cached = { result, at };
    return result;
  }

  private async ask(): Promise<ModelsResult> {
    const { source } = this.options;
    if (!source.listModels) return this.result([source.model], true);
    try {
      return this.result(await source.listModels(AbortSignal.timeout(this.options.timeoutMs)), true);
    } catch (error) {
      this.options.logger.warn({ err: error }, "the LLM server did not list its models");
      return this.result([], false);
    }
  }

  private result(models: string[], listed: boolean): ModelsResult {
    const unique = [...new Set(models)].slice(0, MAX_LISTED_MODELS);
    return { models: unique, defaultModel: this.options.source.model, listed };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
