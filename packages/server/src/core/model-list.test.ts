import { describe, expect, it } from "vitest";
import { quietLogger } from "../../test-kit/harness/quiet-logger.ts";
import { MAX_LISTED_MODELS, ModelList } from "./model-list.ts";

/** A source whose list answers are scripted; counts how often it was asked. */
function scripted(answers: Array<string[] | Error>) {
  const source = {
    model: "default-model",
    asked: 0,
    signals: [] as AbortSignal[],
    listModels(signal: AbortSignal): Promise<string[]> {
      source.signals.push(signal);
      const answer = answers[Math.min(source.asked++, answers.length - 1)]!;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return source;
}

function listOf(source: ReturnType<typeof scripted>, clock = { now: 0 }) {
  return new ModelList({ source, ttlMs: 1000, timeoutMs: 50, logger: quietLogger, now: () => clock.now });
}

describe("ModelList", () => {
  it("passes on the upstream's ids (deduplicated, bounded) with the default model", async () => {
    const many = Array.from({ length: MAX_LISTED_MODELS + 5 }, (_, i) => `m${i}`);
    expect(await listOf(scripted([["a", "b", "a"]])).current()).toEqual({
      models: ["a", "b"],
      defaultModel: "default-model",
      listed: true,
    });
    expect((await listOf(scripted([many])).current()).models).toHaveLength(MAX_LISTED_MODELS);
  });

  it("asks the upstream once per TTL, however many ask at once, and with a timeout", async () => {
    const clock = { now: 0 };
    const source = scripted([["a"], ["a", "b"]]);
    const list = listOf(source, clock);
    await Promise.all([list.current(), list.current(), list.current()]);
    clock.now = 999;
    expect((await list.current()).models).toEqual(["a"]);
    expect(source.asked).toBe(1);
    expect(source.signals[0]).toBeInstanceOf(AbortSignal);
    clock.now = 1000;
    expect((await list.current()).models).toEqual(["a", "b"]);
    expect(source.asked).toBe(2);
  });

  it("an upstream failure is an empty, unlisted answer (cached too), never a throw", async () => {
    const clock = { now: 0 };
    const source = scripted([new Error("connect ECONNREFUSED http://secret-llm:8080"), ["back"]]);
    const list = listOf(source, clock);
    const failed = await list.current();
    expect(failed).toEqual({ models: [], defaultModel: "default-model", listed: false });
    expect(JSON.stringify(failed)).not.toContain("secret-llm");
    await list.current();
    expect(source.asked).toBe(1);
    clock.now = 1000;
    expect(await list.current()).toMatchObject({ models: ["back"], listed: true });
  });

  it("a source that cannot list reports its own model", async () => {
    const list = new ModelList({ source: { model: "only" }, ttlMs: 1000, timeoutMs: 50, logger: quietLogger });
    expect(await list.current()).toEqual({ models: ["only"], defaultModel: "only", listed: true });
  });
});
