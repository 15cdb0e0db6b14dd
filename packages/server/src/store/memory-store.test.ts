import { expect, it } from "vitest";
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
