import { describe, expect, it } from "vitest";
import { AppError } from "../core/errors.ts";
import { newNormaliseState, normaliseChunk } from "./sse-normalise.ts";

const chat = (delta: object, finish: unknown = null, extra: object = {}) => ({
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const run = (chunk: unknown) => normaliseChunk(chunk, newNormaliseState());

describe("normaliseChunk", () => {
  it("reads chat content", () => {
    expect(run(chat({ content: "Hi" }))).toEqual([{ type: "text", text: "Hi" }]);
  });

  it("ignores a role-only first chunk, and null / empty / absent content", () => {
    expect(run(chat({ role: "assistant", content: null }))).toEqual([]);
    expect(run(chat({ role: "assistant", content: "" }))).toEqual([]);
    expect(run(chat({}))).toEqual([]);
  });

  it("reads completions text", () => {
    expect(run({ choices: [{ index: 0, text: " there", logprobs: null, finish_reason: null }] })).toEqual([
      { type: "text", text: " there" },
    ]);
  });

  it("emits finish only for a non-empty finish_reason", () => {
    expect(run(chat({}, "stop"))).toEqual([{ type: "finish", reason: "stop" }]);
    expect(run(chat({}, "length"))).toEqual([{ type: "finish", reason: "length" }]);
    expect(run(chat({ content: "x" }, ""))).toEqual([{ type: "text", text: "x" }]);
    expect(run({ choices: [{ index: 0, delta: { content: "x" } }] })).toEqual([{ type: "text", text: "x" }]);
  });

  it("reads usage on any chunk, including a choices: [] trailer", () => {
    const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 };
    expect(run({ choices: [], usage })).toEqual([
      { type: "usage", usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12 } },
    ]);
    expect(run(chat({ content: "a" }, null, { usage }))).toEqual([
      { type: "text", text: "a" },
      { type: "usage", usage: { promptTokens: 5, completionTokens: 7, totalTokens: 12 } },
    ]);
    expect(run(chat({ content: "a" }, null, { usage: null }))).toEqual([{ type: "text", text: "a" }]);
  });

  it("keeps reasoning apart from the answer (reasoning_content and reasoning)", () => {
    expect(run(chat({ reasoning_content: "hmm" }))).toEqual([{ type: "reasoning", text: "hmm" }]);
    expect(run(chat({ reasoning: "so", content: null }))).toEqual([{ type: "reasoning", text: "so" }]);
  });

  it("ignores unknown fields, chunks without choices, and other choice indexes", () => {
    expect(run({ ...chat({ content: "a" }), timings: { x: 1 }, obfuscation: "zz", system_fingerprint: "f" })).toEqual([
      { type: "text", text: "a" },
    ]);
    expect(run({ id: "x", object: "chat.completion.chunk" })).toEqual([]);
    expect(run({ choices: [{ index: 1, delta: { content: "other" } }] })).toEqual([]);
  });

  it("reads a non-streamed completion's message", () => {
    expect(
      run({ choices: [{ index: 0, message: { role: "assistant", content: "whole" }, finish_reason: "stop" }] }),
    ).toEqual([
      { type: "text", text: "whole" },
      { type: "finish", reason: "stop" },
    ]);
  });

  it("turns {error} chunks into upstream_stream_error: a plain sentence, the server's message in the cause (the log)", () => {
    for (const error of [{ message: "CUDA out of memory", code: 500 }, "CUDA out of memory"]) {
      const thrown = captured(() => run({ error }));
      expect(thrown.code).toBe("upstream_stream_error");
      expect(thrown.message).toBe("The LLM server reported an error mid-answer.");
      expect((thrown.cause as Error).message).toContain("CUDA out of memory");
    }
  });

  it("treats LocalAI's 'Internal error:' answer text as an error only when it starts the answer", () => {
    const thrown = captured(() => run(chat({ content: "Internal error: rpc error: code = Unavailable" }, "stop")));
    expect(thrown.code).toBe("upstream_stream_error");
    const state = newNormaliseState();
    normaliseChunk(chat({ content: "The log said " }), state);
    expect(normaliseChunk(chat({ content: "Internal error: x" }), state)).toEqual([
      { type: "text", text: "Internal error: x" },
    ]);
  });

  it("refuses chunks that are not objects", () => {
    for (const chunk of [null, 3, "x", []]) expect(captured(() => run(chunk)).code).toBe("upstream_bad_response");
  });
});

function captured(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}
