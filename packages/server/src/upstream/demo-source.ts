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
  readonly continues = true;

  constructor(private readonly options: DemoSourceOptions) {}

  /** The demo model reports itself, so a picker shows what answers. */
  listModels(): Promise<string[]> {
    return Promise.resolve([this.model]);
  }

  async *stream({ turns, signal, continueFrom }: AnswerRequest): AsyncGenerator<AnswerEvent> {
    const question = turns.findLast((t) => t.role === "user")?.content ?? "";
    const tokens = tokenize(rest(demoAnswer(question), continueFrom ?? ""));
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

/** What follows `partial` in the demo's answer (all of it when the answer does not start so). */
function rest(answer: string, partial: string): string {
  return answer.startsWith(partial) ? answer.slice(partial.length) : answer;
}
