import { afterEach, describe, expect, it, vi } from "vitest";
import { Coalescer } from "./coalescer.ts";

describe("Coalescer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(windowMs: number, maxChars = 1000) {
    vi.useFakeTimers();
    const batches: string[] = [];
    const coalescer = new Coalescer({ windowMs, maxChars, flush: (t) => batches.push(t), now: () => Date.now() });
    return { coalescer, batches };
  }

  it("flushes the first token at once (leading edge)", () => {
    const { coalescer, batches } = setup(30);
    coalescer.push("Hello");
    expect(batches).toEqual(["Hello"]);
  });

  it("holds tokens arriving within the window and flushes them together when it ends", () => {
    const { coalescer, batches } = setup(30);
    coalescer.push("a");
    coalescer.push("b");
    vi.advanceTimersByTime(10);
    coalescer.push("c");
    expect(batches).toEqual(["a"]);
    vi.advanceTimersByTime(20);
    expect(batches).toEqual(["a", "bc"]);
  });

  it("flushes at once when maxChars is reached", () => {
    const { coalescer, batches } = setup(30, 4);
    coalescer.push("ab");
    coalescer.push("cd");
    coalescer.push("efgh");
    expect(batches).toEqual(["ab", "cdefgh"]);
  });

  it("never loses or reorders text", () => {
    const { coalescer, batches } = setup(25);
    const tokens = Array.from({ length: 500 }, (_, i) => `t${i} `);
    for (const token of tokens) {
      coalescer.push(token);
      vi.advanceTimersByTime(3);
    }
    coalescer.flushNow();
    expect(batches.join("")).toBe(tokens.join(""));
    // 1500 ms of tokens in 25 ms windows: roughly 60 batches, far fewer than 500 tokens.
    expect(batches.length).toBeLessThan(80);
  });

  it("ignores empty pushes and flushNow on an empty buffer", () => {
    const { coalescer, batches } = setup(30);
    coalescer.push("");
    coalescer.flushNow();
    expect(batches).toEqual([]);
  });

  it("dispose cancels a pending flush", () => {
    const { coalescer, batches } = setup(30);
    coalescer.push("a");
    coalescer.push("b");
    coalescer.dispose();
    vi.advanceTimersByTime(100);
    expect(batches).toEqual(["a"]);
  });
});
