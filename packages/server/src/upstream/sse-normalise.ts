/**
 * One parsed JSON chunk of an OpenAI-compatible stream → normalised AnswerEvents. Pure.
 * Covers chat (`choices[0].delta.content`) and completions (`choices[0].text`) and the ways
 * LocalAI, llama.cpp, Ollama, vLLM and OpenAI differ (see DESIGN.md "Upstream").
 */
import type { Usage } from "@tokencast/protocol";
import { AppError } from "../core/errors.ts";
import type { AnswerEvent } from "../core/ports.ts";

type Json = Record<string, unknown>;

/** State the normaliser keeps across chunks of one answer. */
export interface NormaliseState {
  /** True once any answer text was seen (the LocalAI heuristic only looks at the first text). */
  sawText: boolean;
  sawFinish: boolean;
}

export function newNormaliseState(): NormaliseState {
  return { sawText: false, sawFinish: false };
}

/**
 * LocalAI reports some backend failures as answer text ("Internal error: …", "rpc error: …")
 * with finish_reason "stop". Only a chunk that *starts* an answer this way is taken as an error,
 * so an answer that merely mentions such words later is left alone.
 */
const LOCALAI_ERROR_TEXT = /^(Internal error:|rpc error: code = )/;

export function normaliseChunk(chunk: unknown, state: NormaliseState): AnswerEvent[] {
  if (!isObject(chunk))
    throw new AppError("upstream_bad_response", "The LLM server sent a chunk that is not a JSON object.");
  if (chunk.error !== undefined && chunk.error !== null) throw streamError(chunk.error);
  const events: AnswerEvent[] = [];
  const choice = firstChoice(chunk);
  if (choice) readChoice(choice, state, events);
  const usage = readUsage(chunk.usage);
  if (usage) events.push({ type: "usage", usage });
  return events;
}

function readChoice(choice: Json, state: NormaliseState, events: AnswerEvent[]): void {
  const delta = isObject(choice.delta) ? choice.delta : undefined;
  const reasoning = delta ? (text(delta.reasoning_content) ?? text(delta.reasoning)) : undefined;
  if (reasoning) events.push({ type: "reasoning", text: reasoning });
  const content = delta ? text(delta.content) : (text(choice.text) ?? messageContent(choice));
  if (content) {
    if (!state.sawText && LOCALAI_ERROR_TEXT.test(content)) {
      throw new AppError("upstream_stream_error", "The LLM server failed while answering.", {
        cause: new Error(content.slice(0, 2000)),
      });
    }
    state.sawText = true;
    events.push({ type: "text", text: content });
  }
  const finish = choice.finish_reason;
  if (typeof finish === "string" && finish !== "") {
    state.sawFinish = true;
    events.push({ type: "finish", reason: finish });
  }
}

function firstChoice(chunk: Json): Json | undefined {
  if (!Array.isArray(chunk.choices)) return undefined;
  const choice = chunk.choices.find((c: unknown) => isObject(c) && (c.index === undefined || c.index === 0));
  return isObject(choice) ? choice : undefined;
}

/** Non-streamed responses put the whole answer in `choices[0].message.content`. */
function messageContent(choice: Json): string | undefined {
  return isObject(choice.message) ? text(choice.message.content) : undefined;
}

function readUsage(raw: unknown): Usage | undefined {
  if (!isObject(raw)) return undefined;
  const usage: Usage = {};
  if (typeof raw.prompt_tokens === "number") usage.promptTokens = raw.prompt_tokens;
  if (typeof raw.completion_tokens === "number") usage.completionTokens = raw.completion_tokens;
  if (typeof raw.total_tokens === "number") usage.totalTokens = raw.total_tokens;
  return Object.keys(usage).length > 0 ? usage : undefined;
}

function streamError(error: unknown): AppError {
  const message = typeof error === "string" ? error : isObject(error) ? text(error.message) : undefined;
  const cause = new Error(`error event from the LLM server: ${message ?? JSON.stringify(error).slice(0, 2000)}`);
  return new AppError("upstream_stream_error", "The LLM server reported an error mid-answer.", { cause });
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
