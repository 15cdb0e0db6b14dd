import { describe, expect, it } from "vitest";
import { UpstreamSlots } from "./slots.ts";

describe("UpstreamSlots", () => {
  it("holds at most max; waiters go first come, first served; an aborted waiter leaves the line", async () => {
    const slots = new UpstreamSlots(1);
    const first = await slots.acquire(new AbortController().signal);
    expect(slots.available()).toBe(false);
    const order: string[] = [];
    const quitter = new AbortController();
    const b = slots.acquire(new AbortController().signal).then((release) => (order.push("b"), release));
    const gone = slots.acquire(quitter.signal).then((release) => (order.push("quit"), release));
    const c = slots.acquire(new AbortController().signal).then((release) => (order.push("c"), release));
    quitter.abort();
    await gone;
    first();
    first(); // twice: no harm
    (await b)();
    (await c)();
    expect(order).toEqual(["quit", "b", "c"]);
    expect(slots.available()).toBe(true);
  });

  it("never waits without a bound", async () => {
    const slots = new UpstreamSlots(0);
    for (let i = 0; i < 100; i++) await slots.acquire(new AbortController().signal);
    expect(slots.available()).toBe(true);
  });
});
