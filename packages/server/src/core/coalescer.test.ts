import { afterEach, describe, expect, it, vi } from "vitest";
import { Coalescer } from "./coalescer.ts";

describe("Coalescer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(windowMs: number | (() => number), maxChars = 1000) {
    vi.useFakeTimers();
    const batches: string[] = [];
    const coalescer = new Coalescer({ windowMs, maxChars, flush: (t) => batches.push(t), now: () => Date.now() });
    return { coalescer, batches };
  }

  it("flushes the first token at the end of the event-loop turn (leading edge)", () => {
    const { coalescer, batches } = setup(30);
    coalescer.push("Hello");
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(0);
    expect(batches).toEqual(["Hello"]);
  });

  it("holds tokens arriving within the window and flushes them together when it ends", () => {
    const { coalescer, batches } = setup(30);
    coalescer.push("a");
    coalescer.push("b");
    vi.advanceTimersByTime(10);
    coalescer.push("c");
    coalescer.push("d");
    expect(batches).toEqual(["ab"]);
    vi.advanceTimersByTime(20);
    // The window has passed; the flush goes out once this turn's I/O has been read (a setImmediate,
    // which fake timers run on the next tick).
    expect(batches).toEqual(["ab"]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual(["ab", "cd"]);
  });

  it("a due batch waits while the previous one is still being written out, and takes in what arrives meanwhile", async () => {
    vi.useFakeTimers();
    const batches: string[] = [];
    let fanOut: { promise: Promise<void>; done: () => void } | undefined;
    const startFanOut = () => {
      let done = () => {};
      const promise = new Promise<void>((resolve) => (done = resolve));
      fanOut = { promise, done };
    };
    const coalescer = new Coalescer({
      windowMs: 30,
      maxChars: 1000,
      flush: (t) => batches.push(t),
      fanOutDone: () => fanOut?.promise,
      now: () => Date.now(),
    });
    coalescer.push("a");
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual(["a"]);
    startFanOut(); // "a" goes out over several loop turns
    coalescer.push("b");
    await vi.advanceTimersByTimeAsync(100);
    coalescer.push("c");
    await vi.advanceTimersByTimeAsync(100);
    expect(batches, "nothing while the fan-out lasts").toEqual(["a"]);
    const finished = fanOut!;
    fanOut = undefined;
    finished.done();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual(["a", "bc"]);
    coalescer.dispose();
  });

  it("flushes at once when maxChars is reached", () => {
    const { coalescer, batches } = setup(30, 4);
    coalescer.push("ab");
    coalescer.push("cd");
    coalescer.push("efgh");
    expect(batches).toEqual(["abcd", "efgh"]);
  });

  it("a due flush takes every token read in the same event-loop turn", async () => {
    const batches: string[] = [];
    const coalescer = new Coalescer({ windowMs: 0, maxChars: 1000, flush: (t) => batches.push(t) });
    coalescer.push("a");
    await Promise.resolve();
    coalescer.push("b");
    await new Promise((resolve) => setImmediate(resolve));
    coalescer.push("c");
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual(["ab", "c"]);
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

  it("reads a window given as a function each time it schedules a flush (the room's adaptive window)", () => {
    let windowMs = 30;
    const { coalescer, batches } = setup(() => windowMs);
    coalescer.push("a");
    vi.advanceTimersByTime(0);
    windowMs = 100;
    coalescer.push("b");
    vi.advanceTimersByTime(60);
    expect(batches).toEqual(["a"]);
    vi.advanceTimersByTime(41);
    expect(batches).toEqual(["a", "b"]);
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
    vi.advanceTimersByTime(0);
    coalescer.push("b");
    coalescer.dispose();
    vi.advanceTimersByTime(100);
    expect(batches).toEqual(["a"]);
  });
});
