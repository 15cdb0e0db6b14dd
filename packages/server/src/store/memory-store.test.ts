import { expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { MemoryStore } from "./memory-store.ts";

it("forgets rooms idle for longer than the TTL", async () => {
  let now = 0;
  const store = new MemoryStore({ historyLimit: 10, idleTtlMs: 1000, now: () => now });
  await store.addMessage({
    id: "a",
    roomId: "r",
    role: "user",
    author: "x",
    text: "hi",
    seq: 0,
    status: "done",
    createdAt: 0,
  });
  now = 500;
  store.sweep();
  expect(await store.listMessages("r")).toHaveLength(1);
  now = 1501;
  store.sweep();
  expect(await store.listMessages("r")).toEqual([]);
  store.close();
});

it("shares the newest page, frozen, between reads until the room's history changes in any way", async () => {
  const store = new MemoryStore({ historyLimit: 10, idleTtlMs: 60_000 });
  const budget = { maxMessages: 10, maxBytes: 100_000 };
  const answer: Message = {
    ...{ id: "m", roomId: "r", role: "assistant", author: "model", text: "", seq: 0 },
    ...{ status: "streaming", createdAt: 0 },
  };
  await store.addMessage(answer);
  const pages = [await store.pageMessages("r", budget)];
  const read = async (change: () => Promise<unknown>) => {
    await change();
    pages.push(await store.pageMessages("r", budget));
    return pages.at(-1)!;
  };
  expect(await store.pageMessages("r", budget)).toBe(pages[0]);
  expect(Object.isFrozen(pages[0]!.messages[0])).toBe(true);
  expect(() => ((pages[0]!.messages[0] as Message).text = "x")).toThrow(TypeError);
  expect((await read(() => store.appendDelta("r", "m", { seq: 1, text: "Hi" }))).messages[0]!.text).toBe("Hi");
  expect((await read(() => store.setQueued("r", "m", 2))).messages[0]!.queuePosition).toBe(2);
  expect((await read(() => store.finishMessage("r", "m", { status: "done" }))).messages[0]!.status).toBe("done");
  expect((await read(() => store.addMessage({ ...answer, id: "n" }))).messages).toHaveLength(2);
  expect(new Set(pages).size).toBe(pages.length);
  expect(await store.pageMessages("r", { ...budget, maxMessages: 1 })).not.toBe(pages.at(-1));
  store.close();
});
