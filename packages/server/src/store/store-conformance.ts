/**
 * The RoomStore contract as a reusable suite: every implementation (memory, Redis) runs it.
 * Call inside a test file: `describeRoomStore("memory", async () => ({ store, cleanup }))`.
 */
import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import type { RoomStore } from "../core/ports.ts";

export interface StoreFixture {
  store: RoomStore;
  cleanup: () => Promise<void>;
}

let counter = 0;
function message(roomId: string, overrides: Partial<Message> = {}): Message {
  counter += 1;
  return {
    id: `m${counter}`,
    roomId,
    role: "assistant",
    author: "model",
    text: "",
    seq: 0,
    status: "streaming",
    createdAt: 1_700_000_000_000 + counter,
    ...overrides,
  };
}

export function describeRoomStore(name: string, setup: (historyLimit: number) => Promise<StoreFixture>): void {
  describe(`RoomStore conformance: ${name}`, () => {
    async function withStore(historyLimit: number, body: (store: RoomStore) => Promise<void>) {
      const fixture = await setup(historyLimit);
      try {
        await body(fixture.store);
      } finally {
        await fixture.cleanup();
      }
    }

    it("keeps messages in order and returns copies", () =>
      withStore(10, async (store) => {
        const a = message("r1", { role: "user", text: "hi", status: "done" });
        const b = message("r1");
        await store.addMessage(a);
        await store.addMessage(b);
        const listed = await store.listMessages("r1");
        expect(listed.map((m) => m.id)).toEqual([a.id, b.id]);
        listed[0]!.text = "mutated";
        expect((await store.getMessage("r1", a.id))?.text).toBe("hi");
        expect(await store.listMessages("other")).toEqual([]);
      }));

    it("appends deltas in seq order and accumulates the text", () =>
      withStore(10, async (store) => {
        const m = message("r2");
        await store.addMessage(m);
        expect(await store.appendDelta("r2", m.id, { seq: 1, text: "Hel" })).toBe("appended");
        expect(await store.appendDelta("r2", m.id, { seq: 2, text: "lo é🙂" })).toBe("appended");
        const stored = await store.getMessage("r2", m.id);
        expect(stored?.text).toBe("Hello é🙂");
        expect(stored?.seq).toBe(2);
        expect(await store.readDeltas("r2", m.id, 0)).toEqual([
          { seq: 1, text: "Hel" },
          { seq: 2, text: "lo é🙂" },
        ]);
        expect(await store.readDeltas("r2", m.id, 1)).toEqual([{ seq: 2, text: "lo é🙂" }]);
        expect(await store.readDeltas("r2", m.id, 2)).toEqual([]);
      }));

    it("refuses a delta whose seq is not the next one, changing nothing; a retry of a stored delta is a duplicate", () =>
      withStore(10, async (store) => {
        const m = message("r3");
        await store.addMessage(m);
        expect(await store.appendDelta("r3", m.id, { seq: 2, text: "x" })).toBe("refused");
        expect(await store.appendDelta("r3", m.id, { seq: 0, text: "" })).toBe("refused");
        expect(await store.appendDelta("r3", m.id, { seq: 1, text: "a" })).toBe("appended");
        expect(await store.appendDelta("r3", m.id, { seq: 1, text: "a" })).toBe("duplicate");
        expect(await store.appendDelta("r3", m.id, { seq: 1, text: "b" })).toBe("refused");
        expect(await store.appendDelta("r3", "missing", { seq: 1, text: "c" })).toBe("refused");
        const stored = await store.getMessage("r3", m.id);
        expect(stored).toMatchObject({ text: "a", seq: 1 });
        expect(await store.readDeltas("r3", m.id, 0)).toEqual([{ seq: 1, text: "a" }]);
      }));

    it("ends a streaming message once, keeping text and seq, and returns it as ended", () =>
      withStore(10, async (store) => {
        const m = message("r4");
        await store.addMessage(m);
        await store.appendDelta("r4", m.id, { seq: 1, text: "partial" });
        const ended = await store.finishMessage("r4", m.id, {
          status: "stopped",
          stoppedBy: "Ada",
          usage: { completionTokens: 3 },
        });
        expect(ended).toMatchObject({ id: m.id, status: "stopped", stoppedBy: "Ada", text: "partial", seq: 1 });
        const stored = await store.getMessage("r4", m.id);
        expect(stored).toEqual(ended);
        expect(stored?.usage).toEqual({ completionTokens: 3 });
        // Exactly once: a second ending (e.g. a stale owner after a takeover) changes nothing.
        expect(await store.finishMessage("r4", m.id, { status: "done" })).toBeUndefined();
        expect((await store.getMessage("r4", m.id))?.status).toBe("stopped");
        expect(await store.finishMessage("r4", "missing", { status: "done" })).toBeUndefined();
      }));

    it("marks a streaming answer queued and started again; an ended one not", () =>
      withStore(10, async (store) => {
        const m = message("r7");
        await store.addMessage(m);
        expect(await store.setQueued("r7", m.id, 3)).toMatchObject({ id: m.id, queued: true, queuePosition: 3, status: "streaming" });
        expect((await store.listMessages("r7"))[0]).toMatchObject({ queued: true, queuePosition: 3 });
        expect(await store.setQueued("r7", m.id, 1)).toMatchObject({ queuePosition: 1 });
        await store.appendDelta("r7", m.id, { seq: 1, text: "go" });
        const started = await store.setQueued("r7", m.id, undefined);
        expect(started).toMatchObject({ queued: false, text: "go", seq: 1 });
        expect(started?.queuePosition).toBeUndefined();
        await store.finishMessage("r7", m.id, { status: "done" });
        expect(await store.setQueued("r7", m.id, 2)).toBeUndefined();
        expect(await store.getMessage("r7", m.id)).toMatchObject({ queued: false, status: "done" });
        expect(await store.setQueued("r7", "missing", 1)).toBeUndefined();
      }));

    it("fences an ended answer: no delta is taken after it ends", () =>
      withStore(10, async (store) => {
        const m = message("r6");
        await store.addMessage(m);
        await store.appendDelta("r6", m.id, { seq: 1, text: "kept" });
        await store.finishMessage("r6", m.id, { status: "interrupted" });
        expect(await store.appendDelta("r6", m.id, { seq: 2, text: "late" })).toBe("refused");
        expect(await store.getMessage("r6", m.id)).toMatchObject({ text: "kept", seq: 1, status: "interrupted" });
        expect(await store.readDeltas("r6", m.id, 0)).toEqual([{ seq: 1, text: "kept" }]);
        const user = message("r6", { role: "user", text: "question", status: "done" });
        await store.addMessage(user);
        expect(await store.appendDelta("r6", user.id, { seq: 1, text: "x" })).toBe("refused");
      }));

    it("caps history, dropping the oldest messages and their logs", () =>
      withStore(3, async (store) => {
        const all = [message("r5"), message("r5"), message("r5"), message("r5"), message("r5")];
        for (const m of all) await store.addMessage(m);
        await store.appendDelta("r5", all[0]!.id, { seq: 1, text: "gone" });
        const listed = await store.listMessages("r5");
        expect(listed.map((m) => m.id)).toEqual(all.slice(2).map((m) => m.id));
        expect(await store.getMessage("r5", all[0]!.id)).toBeUndefined();
        expect(await store.readDeltas("r5", all[0]!.id, 0)).toEqual([]);
      }));

    it("keeps rooms apart", () =>
      withStore(10, async (store) => {
        const a = message("ra");
        await store.addMessage(a);
        expect(await store.getMessage("rb", a.id)).toBeUndefined();
        expect(await store.appendDelta("rb", a.id, { seq: 1, text: "x" })).toBe("refused");
      }));
  });
}
