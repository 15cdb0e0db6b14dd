/**
 * Builders for fake-upstream scripts, faithful to what real servers send (see DESIGN.md
 * "Upstream" and tests/fixtures): llama.cpp, LocalAI, Ollama, vLLM and OpenAI flavours.
 */
import type { Script, Step } from "./fake-upstream.ts";

export type Flavour = "llamacpp" | "localai" | "ollama" | "vllm" | "openai";

export interface StreamOptions {
  flavour?: Flavour;
  finishReason?: string;
  usage?: { prompt: number; completion: number };
  /** Reasoning deltas sent before the answer (reasoning_content, or `reasoning` for Ollama). */
  reasoning?: string[];
  crlf?: boolean;
  keepalive?: boolean;
}

export function expectedText(tokens: string[]): string {
  return tokens.join("");
}

const CREATED = 1_795_473_480;

function frame(json: object, crlf = false): string {
  const nl = crlf ? "\r\n" : "\n";
  return `data: ${JSON.stringify(json)}${nl}${nl}`;
}

function done(crlf = false): string {
  return crlf ? "data: [DONE]\r\n\r\n" : "data: [DONE]\n\n";
}

function usageJson(usage: { prompt: number; completion: number }) {
  return {
    prompt_tokens: usage.prompt,
    completion_tokens: usage.completion,
    total_tokens: usage.prompt + usage.completion,
  };
}

/** Per-flavour chunk envelopes for /v1/chat/completions. */
function chatEnvelope(flavour: Flavour, requestNo: number) {
  const base: Record<string, unknown> = { object: "chat.completion.chunk", created: CREATED, model: "fake-model" };
  // Ollama's ids collide across requests; never key anything on them.
  base.id = flavour === "ollama" ? "chatcmpl-123" : `chatcmpl-${flavour}-${requestNo}`;
  if (flavour === "llamacpp") base.system_fingerprint = "b10587-3f545becc";
  if (flavour === "openai") base.system_fingerprint = "fp_fake";
  return base;
}

let requestCounter = 0;

export function sseChat(tokens: string[], options: StreamOptions = {}): string {
  return chatFrames(tokens, options).join("");
}

/** The SSE body as a list of events (one string per event). */
export function chatFrames(tokens: string[], options: StreamOptions = {}): string[] {
  const flavour = options.flavour ?? "llamacpp";
  const crlf = options.crlf ?? false;
  const env = chatEnvelope(flavour, ++requestCounter);
  const usage = options.usage ?? { prompt: 12, completion: tokens.length };
  const finish = options.finishReason ?? "stop";
  const chunk = (delta: object, finishReason: string | null = null, extra: object = {}) =>
    frame(
      {
        ...env,
        choices: [
          { index: 0, delta, finish_reason: finishReason, ...(flavour === "openai" ? { logprobs: null } : {}) },
        ],
        ...extra,
      },
      crlf,
    );
  const everyChunkUsage = flavour === "localai" ? { usage: usageJson(usage) } : {};
  const frames: string[] = [];
  frames.push(
    flavour === "llamacpp"
      ? chunk({ role: "assistant", content: null })
      : chunk({ role: "assistant", content: "" }, null, everyChunkUsage),
  );
  for (const r of options.reasoning ?? [])
    frames.push(chunk(flavour === "ollama" ? { reasoning: r } : { reasoning_content: r }));
  tokens.forEach((token, i) => {
    if (options.keepalive && i % 5 === 2) frames.push(crlf ? ": keepalive\r\n\r\n" : ": keepalive\n\n");
    const extra = flavour === "openai" ? { obfuscation: "xyz" } : everyChunkUsage;
    frames.push(chunk({ content: token }, null, extra));
  });
  frames.push(...chatTail(flavour, chunk, finish, usage, crlf, env));
  return frames;
}

function chatTail(
  flavour: Flavour,
  chunk: (delta: object, finishReason?: string | null, extra?: object) => string,
  finish: string,
  usage: { prompt: number; completion: number },
  crlf: boolean,
  env: Record<string, unknown>,
): string[] {
  switch (flavour) {
    case "llamacpp":
      return [chunk({}, finish, { timings: { predicted_n: usage.completion, predicted_ms: 12.5 } }), done(crlf)];
    case "localai":
      return [chunk({ content: "" }, finish, { usage: usageJson(usage) }), done(crlf)];
    case "ollama":
      return [chunk({ role: "assistant", content: "" }, finish), done(crlf)];
    case "vllm":
    case "openai":
      return [chunk({}, finish), frame({ ...env, choices: [], usage: usageJson(usage) }, crlf), done(crlf)];
  }
}

export function sseCompletions(tokens: string[], options: StreamOptions = {}): string {
  return completionFrames(tokens, options).join("");
}

export function completionFrames(tokens: string[], options: StreamOptions = {}): string[] {
  const crlf = options.crlf ?? false;
  const usage = options.usage ?? { prompt: 12, completion: tokens.length };
  const env = { object: "text_completion", created: CREATED, model: "fake-model", id: `cmpl-${++requestCounter}` };
  const choice = (text: string, finish: string | null) => ({ text, index: 0, logprobs: null, finish_reason: finish });
  const frames = tokens.map((t) => frame({ ...env, choices: [choice(t, null)] }, crlf));
  frames.push(frame({ ...env, choices: [choice("", options.finishReason ?? "stop")], usage: usageJson(usage) }, crlf));
  frames.push(done(crlf));
  return frames;
}

// ---------- scripts ----------

export interface SplitOptions {
  chunkSizes?: number[] | "bytewise" | "events";
  delayMs?: number;
  status?: number;
  headers?: Record<string, string>;
}

/** A body as write steps: by given sizes (cycled), byte by byte, or whole. */
export function streamScript(body: string, options: SplitOptions = {}): Script {
  const bytes = new TextEncoder().encode(body);
  const sizes =
    options.chunkSizes === "bytewise" ? [1] : Array.isArray(options.chunkSizes) ? options.chunkSizes : [bytes.length];
  const steps: Step[] = [];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    steps.push({ write: bytes.slice(offset, offset + size) });
    offset += size;
    if (options.delayMs) steps.push({ wait: options.delayMs });
  }
  return withStatus({ steps }, options);
}

export type Tail = "done" | "truncate" | "reset" | "hang" | "error-event";

export interface TokenScriptOptions extends StreamOptions {
  delayMs?: number;
  /** Hold the stream after this many tokens until the test releases the gate. */
  gateAfter?: { tokens: number; gate: string };
  tail?: Tail;
  api?: "chat" | "completions";
}

/** One write per event, with optional pacing, a gate mid-stream and a chosen ending. */
export function tokenScript(tokens: string[], options: TokenScriptOptions = {}): Script {
  const frames = options.api === "completions" ? completionFrames(tokens, options) : chatFrames(tokens, options);
  const firstToken = frames.length - tokens.length - tailLength(options);
  const body = frames.slice(0, firstToken + tokens.length);
  const tail = frames.slice(firstToken + tokens.length);
  const steps: Step[] = [];
  body.forEach((f, i) => {
    steps.push({ write: f });
    if (options.delayMs) steps.push({ wait: options.delayMs });
    if (options.gateAfter && i - firstToken + 1 === options.gateAfter.tokens)
      steps.push({ gate: options.gateAfter.gate });
  });
  steps.push(...tailSteps(options.tail ?? "done", tail));
  return { steps };
}

function tailLength(options: TokenScriptOptions): number {
  if (options.api === "completions") return 2;
  const flavour = options.flavour ?? "llamacpp";
  return flavour === "vllm" || flavour === "openai" ? 3 : 2;
}

function tailSteps(tail: Tail, frames: string[]): Step[] {
  switch (tail) {
    case "done":
      return frames.map((write) => ({ write }));
    case "truncate":
      return [];
    case "reset":
      // A pause first: bytes that arrive together with the RST may be discarded by the kernel
      // or by the fetch body stream, which drops queued chunks when it errors.
      return [{ wait: 50 }, { reset: true }];
    case "hang":
      return [{ hang: true }];
    case "error-event":
      return [{ write: frame({ error: { message: "model crashed", type: "server_error", code: 500 } }) }];
  }
}

function withStatus(script: Script, options: { status?: number; headers?: Record<string, string> }): Script {
  return {
    ...script,
    ...(options.status ? { status: options.status } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

// ---------- faults ----------

export function httpError(
  status: number,
  body: string,
  contentType = "application/json",
  headers: Record<string, string> = {},
): Script {
  return { status, headers: { "Content-Type": contentType, ...headers }, steps: [{ write: body }] };
}

/** Tokens, then `data: {"error":…}`, optionally followed by `[DONE]` (servers differ). */
export function errorEventMidStream(tokensBefore: string[], withDoneAfter: boolean): Script {
  const script = tokenScript(tokensBefore, { tail: "error-event" });
  if (withDoneAfter) script.steps.push({ write: done() });
  return script;
}

/** LocalAI reporting a backend failure as answer text with finish_reason "stop". */
export function localAiInternalError(): Script {
  return tokenScript(["Internal error: rpc error: code = Unavailable desc = error reading from server: EOF"], {
    flavour: "localai",
  });
}

/** Tokens, then a `data:` line whose JSON is cut off. */
export function malformedJsonLine(tokensBefore: string[]): Script {
  const script = tokenScript(tokensBefore, { tail: "truncate" });
  script.steps.push({ write: 'data: {"choices":[{"index":0,"delta":{"content":"oops"\n\n' }, { write: done() });
  return script;
}
