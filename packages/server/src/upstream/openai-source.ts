/**
 * AnswerSource for any OpenAI-compatible server (LocalAI, llama.cpp, Ollama, vLLM, OpenAI):
 * one streaming POST per answer, normalised into AnswerEvents, every failure a named AppError.
 */
import { fetch, type Dispatcher, type Response } from "undici";
import { AppError } from "../core/errors.ts";
import type { AnswerEvent, AnswerRequest, AnswerSource, ChatTurn } from "../core/ports.ts";
import { httpError } from "./http-errors.ts";
import { modelIdsOf } from "./model-ids.ts";
import { connectionTrouble } from "./public-text.ts";
import { toCompletionPrompt } from "./prompt.ts";
import { newNormaliseState, normaliseChunk, type NormaliseState } from "./sse-normalise.ts";
import { readSse } from "./sse-reader.ts";
import { createUpstreamAgent } from "./upstream-agent.ts";
import { Watchdog } from "./watchdog.ts";

export interface OpenAiSourceOptions {
  /** e.g. http://localhost:8080 or http://localhost:8080/v1 */
  baseUrl: string;
  apiKey?: string;
  model: string;
  api: "chat" | "completions";
  firstTokenTimeoutMs: number;
  idleTimeoutMs: number;
  maxTokens?: number;
  temperature?: number;
  /** Largest single SSE event accepted (default 1 MiB). */
  maxEventBytes?: number;
  /**
   * Longest answer accepted, text and reasoning together (LLM_MAX_ANSWER_CHARS): an endless
   * stream is cut there with `upstream_too_large`, the text so far kept. 0 = no bound.
   */
  maxAnswerChars?: number;
  /**
   * Whether this server continues a partial answer (LLM_CONTINUE): the completions API by
   * appending it to the prompt, the chat API by sending it as a final assistant message.
   */
  continues?: boolean;
  /** Test-only: the HTTP agent (default: createUpstreamAgent(), free of undici's 300 s caps). */
  dispatcher?: Dispatcher;
}

const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;
/** A model list longer than this is not a model list. */
const MAX_MODEL_LIST_CHARS = 1024 * 1024;

export class OpenAiSource implements AnswerSource {
  readonly demo = false;
  readonly model: string;
  readonly continues: boolean;
  private readonly endpoint: string;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: OpenAiSourceOptions) {
    this.model = options.model;
    this.continues = options.continues ?? false;
    this.endpoint = `${apiRoot(options.baseUrl)}/${options.api === "chat" ? "chat/completions" : "completions"}`;
    this.dispatcher = options.dispatcher ?? createUpstreamAgent();
  }

  async *stream({ turns, signal, model, continueFrom }: AnswerRequest): AsyncGenerator<AnswerEvent> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener("abort", abort, { once: true });
    const watchdog = new Watchdog(this.options.firstTokenTimeoutMs, this.options.idleTimeoutMs, abort);
    try {
      if (signal.aborted) return;
      const body = this.body(turns, model ?? this.model, this.continues ? continueFrom : undefined);
      const response = await this.request(body, controller.signal);
      yield* this.read(response, watchdog);
    } catch (error) {
      if (signal.aborted) return;
      throw watchdog.error ?? classify(error);
    } finally {
      watchdog.stop();
      signal.removeEventListener("abort", abort);
      controller.abort(); // closes the connection if the answer ended early
    }
  }

  /** `GET /v1/models`: the ids the server offers. Throws on any failure (the caller shows an empty list). */
  async listModels(signal: AbortSignal): Promise<string[]> {
    const url = `${apiRoot(this.options.baseUrl)}/models`;
    const response = await fetch(url, { headers: this.authorization(), signal, dispatcher: this.dispatcher });
    if (!response.ok) throw await httpError(response);
    const body = await response.text();
    if (body.length > MAX_MODEL_LIST_CHARS) throw new AppError("upstream_too_large", "The model list is too long.");
    return modelIdsOf(JSON.parse(body));
  }

  private authorization(): Record<string, string> {
    return this.options.apiKey ? { Authorization: `Bearer ${this.options.apiKey}` } : {};
  }

  private async request(body: Record<string, unknown>, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      Accept: "text/event-stream",
      ...this.authorization(),
    };
    try {
      const init = {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal,
        dispatcher: this.dispatcher,
      };
      return await fetch(this.endpoint, init);
    } catch (error) {
      if (signal.aborted) throw error;
      // The endpoint and the error's code go to the log (the cause), not to the room.
      const cause = new Error(`POST ${this.endpoint} failed: ${causeOf(error)}`, { cause: error });
      throw new AppError("upstream_unreachable", `Cannot reach the LLM server: ${connectionTrouble(error)}.`, {
        cause,
      });
    }
  }

  /** `partial`: an answer to continue (what the model said so far), else a new answer. */
  private body(turns: ChatTurn[], model: string, partial: string | undefined): Record<string, unknown> {
    const { maxTokens, temperature, api } = this.options;
    const body: Record<string, unknown> = { model, stream: true };
    if (api === "chat") {
      Object.assign(body, partial === undefined ? { messages: turns } : continuedChat(turns, partial));
      body.stream_options = { include_usage: true };
    } else {
      body.prompt = toCompletionPrompt(turns) + (partial === undefined ? "" : continuedText(partial));
    }
    if (maxTokens !== undefined) body.max_tokens = maxTokens;
    if (temperature !== undefined) body.temperature = temperature;
    return body;
  }

  private async *read(response: Response, watchdog: Watchdog): AsyncGenerator<AnswerEvent> {
    if (!response.ok) throw await httpError(response);
    const type = response.headers.get("content-type") ?? "";
    const state = newNormaliseState();
    const budget = new AnswerBudget(this.options.maxAnswerChars ?? 0);
    if (type.includes("application/json")) {
      yield* emit(normaliseChunk(await response.json(), state), watchdog, budget);
      return;
    }
    if (!response.body) throw new AppError("upstream_bad_response", "The LLM server sent an empty response.");
    const maxEventBytes = this.options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    let done = false;
    for await (const item of readSse(response.body, { maxEventBytes, onActivity: () => watchdog.activity() })) {
      if (item.type === "done") {
        done = true;
        break;
      }
      yield* emit(normaliseChunk(item.json, state), watchdog, budget);
    }
    checkComplete(done, state);
  }
}

/**
 * The chat request that continues `partial`: it goes last as the assistant's own message, which
 * llama.cpp and Ollama continue as it is; vLLM does when told (`continue_final_message`, without a
 * new generation prompt); other servers ignore the two fields.
 */
function continuedChat(turns: ChatTurn[], partial: string): Record<string, unknown> {
  const messages: ChatTurn[] = [...turns, { role: "assistant", content: partial }];
  return { messages, continue_final_message: true, add_generation_prompt: false };
}

/** The transcript ends with "Assistant:"; the answer so far follows it as the model wrote it. */
function continuedText(partial: string): string {
  return /^\s/.test(partial) ? partial : ` ${partial}`;
}

function* emit(events: AnswerEvent[], watchdog: Watchdog, budget: AnswerBudget): Generator<AnswerEvent> {
  for (const event of events) {
    if (event.type === "text" || event.type === "reasoning") {
      watchdog.token();
      budget.spend(event.text.length);
    }
    yield event;
  }
}

/** Characters of one answer so far; throws once past the bound (the text before it is kept). */
class AnswerBudget {
  private used = 0;

  constructor(private readonly maxChars: number) {}

  spend(chars: number): void {
    this.used += chars;
    if (this.maxChars > 0 && this.used > this.maxChars) {
      throw new AppError(
        "upstream_too_large",
        `The answer passed ${this.maxChars} characters, the longest this server accepts; it was cut off there.`,
      );
    }
  }
}

/**
 * EOF without `[DONE]` is normal for some servers once a finish_reason was sent (Ollama and
 * others close right after it); without either, the answer was cut off.
 */
function checkComplete(done: boolean, state: NormaliseState): void {
  if (done || state.sawFinish) return;
  throw new AppError("upstream_truncated", "The LLM server closed the stream before the answer was complete.");
}

/** A failure while reading: our own errors pass; anything else is the connection breaking. */
function classify(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError(
    "upstream_stream_error",
    `The connection to the LLM server broke mid-answer: ${connectionTrouble(error)}.`,
    { cause: error },
  );
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? "unknown error";
}

function apiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, "");
  return /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}
