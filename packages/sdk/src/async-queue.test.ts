import { describe, expect, it } from "vitest";
import { AsyncQueue } from "./async-queue.ts";

describe("AsyncQueue", () => {
  it("keeps what is pushed while nobody pulls, then ends after draining", async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    queue.push(2);
    const seen: number[] = [];
    const loop = (async () => {
      for await (const item of queue.drain()) seen.push(item);
    })();
    await Promise.resolve();
    queue.push(3);
    queue.end();
    queue.push(4); // after the end: dropped
    await loop;
    expect(seen).toEqual([1, 2, 3]);
  });

  it("throws the failure it was ended with, after the items queued before", async () => {
    const queue = new AsyncQueue<string>();
    queue.push("a");
    queue.end(new Error("closed"));
    queue.end(); // the first end wins
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const item of queue.drain()) seen.push(item);
    })().catch((error: unknown) => error);
    expect(seen).toEqual(["a"]);
    expect(failure).toMatchObject({ message: "closed" });
  });
});
