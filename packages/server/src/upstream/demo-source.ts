import { delay } from "../core/delay.ts";
import type { AnswerEvent, AnswerRequest, AnswerSource } from "../core/ports.ts";
import { demoAnswer, tokenize } from "./demo-answer.ts";

export interface DemoSourceOptions {
  tokensPerSecond: number;
}

/** The built-in model used when no LLM server is configured: streams at a human pace. */
export class DemoSource implements AnswerSource {
  readonly demo = true;
  readonly model = "tokencast-demo";

  constructor(private readonly options: DemoSourceOptions) {}

  /** The demo model reports itself, so a picker shows what answers. */
  listModels(): Promise<string[]> {
    return Promise.resolve([this.model]);
  }

  async *stream({ turns, signal }: AnswerRequest): AsyncGenerator<AnswerEvent> {
    const question = turns.findLast((t) => t.role === "user")?.content ?? "";
    const tokens = tokenize(demoAnswer(question));
    const interval = 1000 / this.options.tokensPerSecond;
    const start = performance.now();
    for (let i = 0; i < tokens.length; i++) {
      if (!(await sleepUntil(start + i * interval, signal))) return;
      yield { type: "text", text: tokens[i]! };
    }
    yield {
      type: "usage",
      usage: {
        promptTokens: tokenize(question).length,
        completionTokens: tokens.length,
        totalTokens: tokenize(question).length + tokens.length,
      },
    };
    yield { type: "finish", reason: "stop" };
  }
}

/** Resolves true at `due` (performance.now() time), or false as soon as `signal` aborts. */
function sleepUntil(due: number, signal: AbortSignal): Promise<boolean> {
  return delay(due - performance.now(), signal);
}
