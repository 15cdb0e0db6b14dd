import { describe, expect, it } from "vitest";
import { MemorySlots } from "./memory-slots.ts";

const signal = () => new AbortController().signal;

describe("MemorySlots", () => {
  it("holds at most max; serves the line in order, telling each waiter its place; an aborted waiter leaves", async () => {
    const slots = new MemorySlots(1);
    const first = await slots.acquire("a", signal(), () => undefined);
    const places: Record<string, number[]> = { b: [], quit: [], c: [] };
    const order: string[] = [];
    const quitter = new AbortController();
    const b = slots.acquire("b", signal(), (p) => places.b!.push(p)).then((release) => (order.push("b"), release));
    const gone = slots
      .acquire("quit", quitter.signal, (p) => places.quit!.push(p))
      .then((release) => (order.push("quit"), release));
    const c = slots.acquire("c", signal(), (p) => places.c!.push(p)).then((release) => (order.push("c"), release));
    expect(slots.waiting()).toBe(3);
    quitter.abort();
    await gone;
    expect(places).toEqual({ b: [1], quit: [2], c: [3, 2] });
    first();
    first(); // twice: no harm
    (await b)();
    (await c)();
    expect(order).toEqual(["quit", "b", "c"]);
    expect(places.c).toEqual([3, 2, 1]);
    expect(slots.waiting()).toBe(0);
  });

  it("never waits without a bound", async () => {
    const slots = new MemorySlots(0);
    for (let i = 0; i < 100; i++) await slots.acquire(`x${i}`, signal(), () => expect.unreachable());
  });
});
