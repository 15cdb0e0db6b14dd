/**
 * The RoomStore contract as a reusable suite: every implementation (memory, Redis) runs it.
 * Call inside a test file: `storeContract("memory", async () => ({ store, cleanup }))`.
 */
import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { messageBytes } from "../../src/core/history-page.ts";
import { MAX_SHARED_PROMPTS, type PromptClaim, type RoomStore } from "../../src/core/ports.ts";

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

export function storeContract(name: string, setup: (historyLimit: number) => Promise<StoreFixture>): void {
  describe(`RoomStore contract: ${name}`, () => {
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
        expect(await store.setQueued("r7", m.id, 3)).toMatchObject({
          id: m.id,
          queued: true,
          queuePosition: 3,
          status: "streaming",
        });
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

    it("hands a streaming answer over: the new owner continues after its seq, the previous one is refused", () =>
      withStore(10, async (store) => {
        const m = message("r8", { queued: true, queuePosition: 2 });
        await store.addMessage(m);
        expect(await store.appendDelta("r8", m.id, { seq: 1, text: "half " }, 0)).toBe("appended");
        const taken = await store.continueMessage("r8", m.id, "node-b", 0);
        expect(taken).toMatchObject({ text: "half ", seq: 1, status: "streaming", continuedBy: ["node-b"] });
        expect(taken?.queued).toBeUndefined();
        expect(taken?.queuePosition).toBeUndefined();
        // The node that started it (owner 0) can neither write nor end it any more; the new owner (1) can.
        expect(await store.appendDelta("r8", m.id, { seq: 2, text: "stale" }, 0)).toBe("refused");
        expect(await store.finishMessage("r8", m.id, { status: "interrupted" }, 0)).toBeUndefined();
        expect(await store.appendDelta("r8", m.id, { seq: 2, text: "done" }, 1)).toBe("appended");
        // Two nodes racing to take it from owner 1: one wins.
        expect((await store.continueMessage("r8", m.id, "node-c", 1))?.continuedBy).toEqual(["node-b", "node-c"]);
        expect(await store.continueMessage("r8", m.id, "node-x", 1)).toBeUndefined();
        expect(await store.appendDelta("r8", m.id, { seq: 3, text: "!" }, 1)).toBe("refused");
        const ended = await store.finishMessage("r8", m.id, { status: "done" }, 2);
        expect(ended).toMatchObject({ text: "half done", seq: 2, status: "done", continuedBy: ["node-b", "node-c"] });
        expect(await store.getMessage("r8", m.id)).toEqual(ended);
        expect(await store.continueMessage("r8", m.id, "node-d", 2)).toBeUndefined();
        expect(await store.continueMessage("r8", "missing", "node-d", 0)).toBeUndefined();
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

    /** Done messages with texts of the given lengths, stored in order; newlines and quotes make JSON escapes. */
    async function storeHistory(store: RoomStore, roomId: string, lengths: number[]): Promise<Message[]> {
      const stored: Message[] = [];
      for (const [i, length] of lengths.entries()) {
        const text = `${i}"\n`.repeat(length).slice(0, length);
        const m = message(roomId, { role: "user", text, status: "done" });
        await store.addMessage(m);
        stored.push((await store.getMessage(roomId, m.id))!);
      }
      return stored;
    }

    const bytesOf = (messages: Message[]) => messages.reduce((sum, m) => sum + messageBytes(m), 0);

    it("pages the history from the newest back within a byte budget, each message exactly once", () =>
      withStore(50, async (store) => {
        const all = await storeHistory(store, "p1", [300, 50, 400, 120, 80, 500, 60, 200, 90, 10]);
        const maxBytes = messageBytes(all[5]!) + messageBytes(all[6]!) + 400;
        const seen: Message[] = [];
        let page = await store.pageMessages("p1", { maxMessages: 50, maxBytes });
        for (let pages = 0; page && pages < 20; pages++) {
          expect(bytesOf(page.messages)).toBeLessThanOrEqual(maxBytes);
          seen.unshift(...page.messages);
          if (!page.more) break;
          page = await store.pageMessages("p1", { before: page.messages[0]!.id, maxMessages: 50, maxBytes });
        }
        expect(page?.more).toBe(false);
        expect(seen).toEqual(all);
      }));

    it("fills a page as far as the budget allows, with the newest, and says whether older ones exist", () =>
      withStore(50, async (store) => {
        const all = await storeHistory(store, "p2", [100, 100, 100, 100]);
        const three = bytesOf(all.slice(1));
        expect(await store.pageMessages("p2", { maxMessages: 10, maxBytes: three })).toEqual({
          messages: all.slice(1),
          more: true,
        });
        expect(await store.pageMessages("p2", { maxMessages: 10, maxBytes: three - 1 })).toEqual({
          messages: all.slice(2),
          more: true,
        });
        expect(await store.pageMessages("p2", { maxMessages: 2, maxBytes: 1e9 })).toEqual({
          messages: all.slice(2),
          more: true,
        });
        expect(await store.pageMessages("p2", { maxMessages: 10, maxBytes: 1e9 })).toEqual({
          messages: all,
          more: false,
        });
        expect(await store.pageMessages("p2", { before: all[2]!.id, maxMessages: 10, maxBytes: 1e9 })).toEqual({
          messages: all.slice(0, 2),
          more: false,
        });
        expect(await store.pageMessages("p2", { before: all[0]!.id, maxMessages: 10, maxBytes: 1e9 })).toEqual({
          messages: [],
          more: false,
        });
      }));

    it("sends a message larger than the budget alone (paging progresses), and an answer in progress whole", () =>
      withStore(50, async (store) => {
        const all = await storeHistory(store, "p3", [50, 5000, 50]);
        expect(await store.pageMessages("p3", { before: all[2]!.id, maxMessages: 10, maxBytes: 100 })).toEqual({
          messages: [all[1]],
          more: true,
        });
        const streaming = message("p3");
        await store.addMessage(streaming);
        await store.appendDelta("p3", streaming.id, { seq: 1, text: "x".repeat(3000) });
        const page = await store.pageMessages("p3", { maxMessages: 1, maxBytes: 100 });
        expect(page?.messages.map((m) => [m.id, m.text.length, m.seq])).toEqual([[streaming.id, 3000, 1]]);
        expect(page?.more).toBe(true);
      }));

    it("shows in the newest page every change made before it is read (a store may share a page only until then)", () =>
      withStore(50, async (store) => {
        const budget = { maxMessages: 10, maxBytes: 1e6 };
        const newest = async () => (await store.pageMessages("p5", budget))!.messages;
        const m = message("p5");
        await store.addMessage(m);
        expect(await newest()).toEqual([m]);
        await store.appendDelta("p5", m.id, { seq: 1, text: "Hel" });
        expect((await newest())[0]).toMatchObject({ text: "Hel", seq: 1 });
        await store.appendDelta("p5", m.id, { seq: 2, text: "lo" });
        expect((await newest())[0]).toMatchObject({ text: "Hello", seq: 2 });
        await store.setQueued("p5", m.id, 1);
        expect((await newest())[0]).toMatchObject({ queued: true, queuePosition: 1 });
        await store.finishMessage("p5", m.id, { status: "done" });
        expect((await newest())[0]).toMatchObject({ text: "Hello", status: "done" });
        const next = message("p5", { role: "user", text: "again", status: "done" });
        await store.addMessage(next);
        expect((await newest()).map((x) => x.id)).toEqual([m.id, next.id]);
      }));

    it("has no page before a message it does not hold", () =>
      withStore(50, async (store) => {
        await storeHistory(store, "p4", [10]);
        expect(await store.pageMessages("p4", { before: "missing", maxMessages: 10, maxBytes: 1e6 })).toBeUndefined();
        expect(
          await store.pageMessages("empty", { before: "missing", maxMessages: 10, maxBytes: 1e6 }),
        ).toBeUndefined();
        expect(await store.pageMessages("empty", { maxMessages: 10, maxBytes: 1e6 })).toEqual({
          messages: [],
          more: false,
        });
      }));

    it("keeps an ended answer's timing with it", () =>
      withStore(10, async (store) => {
        const m = message("t1");
        await store.addMessage(m);
        await store.appendDelta("t1", m.id, { seq: 1, text: "Hello" });
        const timing: Array<[number, number]> = [
          [120, 2],
          [480, 5],
        ];
        expect(await store.finishMessage("t1", m.id, { status: "done", timing })).toMatchObject({ timing });
        expect((await store.getMessage("t1", m.id))?.timing).toEqual(timing);
        expect((await store.listMessages("t1"))[0]?.timing).toEqual(timing);
      }));

    it("lets one claim hold a shared prompt; only the holder releases; a stale holder can be replaced", () =>
      withStore(10, async (store) => {
        const claim = (id: string): PromptClaim => ({ messageId: `q-${id}`, replyId: `a-${id}`, claimedAt: 1 });
        const [first, second, third] = [claim("1"), claim("2"), claim("3")];
        expect(await store.claimPrompt("s1", "k", first)).toEqual(first);
        expect(await Promise.all([store.claimPrompt("s1", "k", second), store.claimPrompt("s1", "k", third)])).toEqual([
          first,
          first,
        ]);
        expect(await store.claimPrompt("s1", "other", second)).toEqual(second);
        expect(await store.claimPrompt("s2", "k", third)).toEqual(third);
        await store.releasePrompt("s1", "k", second);
        expect(await store.claimPrompt("s1", "k", third)).toEqual(first);
        expect(await store.claimPrompt("s1", "k", third, second)).toEqual(first);
        expect(await store.claimPrompt("s1", "k", third, first)).toEqual(third);
        await store.releasePrompt("s1", "k", third);
        expect(await store.claimPrompt("s1", "k", second)).toEqual(second);
      }));

    it("remembers at most MAX_SHARED_PROMPTS shared prompts per room", () =>
      withStore(10, async (store) => {
        const claim = (id: number): PromptClaim => ({ messageId: `q${id}`, replyId: `a${id}`, claimedAt: 1 });
        for (let i = 0; i < MAX_SHARED_PROMPTS; i++) await store.claimPrompt("s3", `k${i}`, claim(i));
        expect(await store.claimPrompt("s3", "k0", claim(-1))).toEqual(claim(0));
        await store.claimPrompt("s3", "one-too-many", claim(-2));
        expect(await store.claimPrompt("s3", "k0", claim(-3))).toEqual(claim(-3));
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
