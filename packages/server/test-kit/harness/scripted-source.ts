import type { AnswerEvent, AnswerRequest, AnswerSource } from "../../src/core/ports.ts";
import { waitFor } from "../../../../tests/helpers/wait.ts";

type Step = { event: AnswerEvent } | { done: true } | { error: Error };

/**
 * One upstream answer a test drives step by step: nothing streams until the test releases it, so
 * an answer hangs (until its request is aborted) unless told to finish or fail.
 */
export class ScriptedAnswer {
  private readonly steps: Step[] = [];
  private wake: () => void = () => undefined;

  constructor(readonly request: AnswerRequest) {
    request.signal.addEventListener("abort", () => this.wake(), { once: true });
  }

  /** True once the core aborted the upstream request (stop, drain, lost lock...). */
  get aborted(): boolean {
    return this.request.signal.aborted;
  }

  text(...tokens: string[]): this {
    for (const text of tokens) this.push({ event: { type: "text", text } });
    return this;
  }

  usage(completionTokens: number): this {
    return this.push({ event: { type: "usage", usage: { completionTokens } } });
  }

  /** Ends the stream normally, with a finish reason. */
  finish(reason = "stop"): this {
    this.push({ event: { type: "finish", reason } });
    return this.push({ done: true });
  }

  /** Ends the stream with an error (as an UpstreamError would). */
  fail(error: Error): this {
    return this.push({ error });
  }

  async *events(): AsyncIterable<AnswerEvent> {
    for (;;) {
      const step = this.steps.shift();
      if (step === undefined) {
        if (this.aborted) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      } else if ("done" in step) return;
      else if ("error" in step) throw step.error;
      else yield step.event;
    }
  }

  private push(step: Step): this {
    this.steps.push(step);
    this.wake();
    return this;
  }
}

/** An AnswerSource whose every answer is a ScriptedAnswer, kept in the order they were asked for. */
export class ScriptedSource implements AnswerSource {
  readonly model = "scripted-model";
  readonly demo = false;
  /** Whether it continues a partial answer (`request.continueFrom`); a test may turn it on. */
  continues = false;
  readonly answers: ScriptedAnswer[] = [];

  stream(request: AnswerRequest): AsyncIterable<AnswerEvent> {
    const answer = new ScriptedAnswer(request);
    this.answers.push(answer);
    return answer.events();
  }

  /** The `index`th upstream request (0 = the first), once the core has made it. */
  answer(index: number): Promise<ScriptedAnswer> {
    return waitFor(() => this.answers[index], { timeoutMs: 2000, what: `upstream request #${index + 1}` });
  }
}
