/** OpenAiSource against the fake upstream over real HTTP: every flavour, chunking and fault. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnswerEvent } from "../packages/server/src/core/ports.ts";
import { AppError } from "../packages/server/src/core/errors.ts";
import { OpenAiSource, type OpenAiSourceOptions } from "../packages/server/src/upstream/index.ts";
import { startFakeUpstream, type FakeUpstream, type Script } from "./helpers/fake-upstream.ts";
import {
  expectedText,
  localAiInternalError,
  sseChat,
  sseCompletions,
  streamScript,
  tokenScript,
  type Flavour,
} from "./helpers/upstream-scripts.ts";

let fake: FakeUpstream;
beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(async () => {
  await fake?.close();
});

const TOKENS = ["The ", "quick ", "brown 🦊 ", "jumps ", "over ", "漢字", ".\n\n", "- done"];
const turns = [{ role: "user" as const, content: "hi" }];

function source(options: Partial<OpenAiSourceOptions> = {}): OpenAiSource {
  return new OpenAiSource({
    baseUrl: fake.url,
    model: "m",
    api: "chat",
    firstTokenTimeoutMs: 2000,
    idleTimeoutMs: 2000,
    ...options,
  });
}

async function collect(
  script: Script,
  options: Partial<OpenAiSourceOptions> = {},
  signal = new AbortController().signal,
) {
  fake.enqueue(script);
  const events: AnswerEvent[] = [];
  let error: AppError | undefined;
  try {
    for await (const event of source(options).stream({ turns, signal })) events.push(event);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    error = e;
  }
  const text = events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");
  const reasoning = events.flatMap((e) => (e.type === "reasoning" ? [e.text] : [])).join("");
  const usage = events.findLast((e) => e.type === "usage");
  const finish = events.find((e) => e.type === "finish");
  return { events, text, reasoning, usage, finish, error };
}

const flavours: Flavour[] = ["llamacpp", "localai", "ollama", "vllm", "openai"];

describe("flavours", () => {
  it.each(flavours)("%s chat stream → exactly the tokens, usage and finish reason", async (flavour) => {
    const r = await collect(
      streamScript(sseChat(TOKENS, { flavour, usage: { prompt: 3, completion: 8 } }), { chunkSizes: "events" }),
    );
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(expectedText(TOKENS));
    expect(r.finish).toEqual({ type: "finish", reason: "stop" });
    if (flavour !== "ollama" && flavour !== "llamacpp")
      expect(r.usage).toEqual({ type: "usage", usage: { promptTokens: 3, completionTokens: 8, totalTokens: 11 } });
  });

  it.each(flavours)("%s: bytes split one by one, with CRLF and keep-alives", async (flavour) => {
    const r = await collect(
      streamScript(sseChat(TOKENS, { flavour, crlf: true, keepalive: true }), { chunkSizes: "bytewise" }),
    );
    expect(r.text).toBe(expectedText(TOKENS));
  });

  it("completions API → choices[].text, prompt sent as a transcript", async () => {
    const r = await collect(
      streamScript(sseCompletions(TOKENS, { finishReason: "length" }), { chunkSizes: [7, 3, 11] }),
      { api: "completions" },
    );
    expect(r.text).toBe(expectedText(TOKENS));
    expect(r.finish).toEqual({ type: "finish", reason: "length" });
    const body = fake.requests.at(-1)!.body as Record<string, unknown>;
    expect(fake.requests.at(-1)!.path).toBe("/v1/completions");
    expect(body).toMatchObject({ model: "m", stream: true, prompt: "User: hi\n\nAssistant:" });
    expect(body.messages).toBeUndefined();
  });

  it("reasoning deltas stay apart from the answer text", async () => {
    for (const flavour of ["vllm", "ollama"] as const) {
      const r = await collect(tokenScript(["Answer."], { flavour, reasoning: ["Let me ", "think."] }));
      expect(r.text).toBe("Answer.");
      expect(r.reasoning).toBe("Let me think.");
    }
  });

  it("sends a chat request with messages, stream options, model and bearer token", async () => {
    await collect(tokenScript(["ok"]), {
      apiKey: "sk-test",
      maxTokens: 50,
      temperature: 0.2,
      baseUrl: `${fake.url}/v1/`,
    });
    const request = fake.requests.at(-1)!;
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.headers.authorization).toBe("Bearer sk-test");
    expect(request.body).toEqual({
      model: "m",
      stream: true,
      messages: turns,
      stream_options: { include_usage: true },
      max_tokens: 50,
      temperature: 0.2,
    });
  });

  it("accepts a non-streamed JSON answer from a server that ignored stream: true", async () => {
    const json = JSON.stringify({
      choices: [{ index: 0, message: { role: "assistant", content: "Whole answer." }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    const r = await collect({ headers: { "Content-Type": "application/json" }, steps: [{ write: json }] });
    expect(r.text).toBe("Whole answer.");
    expect(r.finish).toEqual({ type: "finish", reason: "stop" });
  });
});

describe("faults", () => {
  it("LocalAI's 'Internal error' answer text → upstream_stream_error", async () => {
    const r = await collect(localAiInternalError());
    expect(r.error?.code).toBe("upstream_stream_error");
    // What LocalAI wrote (its backend's internals) is for the log: members read a plain sentence.
    expect(r.error?.message).toBe("The LLM server failed while answering.");
    expect((r.error?.cause as Error).message).toMatch(/Internal error/);
  });

  it("HTML error body → a plain sentence for members, the page's text kept for the log", async () => {
    const r = await collect({
      status: 502,
      headers: { "Content-Type": "text/html" },
      steps: [{ write: "<html><head><style>x{}</style></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>" }],
    });
    expect(r.error).toMatchObject({ code: "upstream_http_error", status: 502 });
    expect(r.error?.message).toBe("The LLM server could not answer this request.");
    expect((r.error?.cause as Error).message).toContain("502 Bad Gateway nginx");
    expect((r.error?.cause as Error).message).not.toContain("<");
  });

  it("a 2 MiB single line is cut off with upstream_too_large, memory bounded by maxEventBytes", async () => {
    const line = `data: {"choices":[{"index":0,"delta":{"content":"${"x".repeat(2 * 1024 * 1024)}"}}]}\n\n`;
    const r = await collect(streamScript(line, { chunkSizes: [64 * 1024] }));
    expect(r.error?.code).toBe("upstream_too_large");
    expect(r.text).toBe("");
  });

  it("abort: the generator ends without an error and the server sees the connection close", async () => {
    const controller = new AbortController();
    const index = fake.requests.length;
    fake.enqueue(tokenScript(TOKENS, { gateAfter: { tokens: 2, gate: "abort-test" } }));
    const seen: string[] = [];
    const stream = source().stream({ turns, signal: controller.signal });
    for await (const event of stream) {
      if (event.type === "text") seen.push(event.text);
      if (seen.length === 2) controller.abort();
    }
    expect(seen).toEqual(TOKENS.slice(0, 2));
    await fake.waitForClosed(index);
  });

  it("keep-alive comments count as activity for the idle timeout", async () => {
    const steps = [
      { write: 'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n' },
      ...Array.from({ length: 6 }, () => [{ wait: 100 }, { write: ": keepalive\n\n" }]).flat(),
      { write: 'data: {"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n' },
    ];
    const r = await collect({ steps }, { idleTimeoutMs: 300 });
    expect(r.error).toBeUndefined();
    expect(r.text).toBe("ab");
  });

  it("EOF without [DONE] after a finish_reason is a normal end", async () => {
    const r = await collect({
      steps: [{ write: 'data: {"choices":[{"index":0,"delta":{"content":"fin"},"finish_reason":"stop"}]}\n\n' }],
    });
    expect(r.error).toBeUndefined();
    expect(r.text).toBe("fin");
  });
});
