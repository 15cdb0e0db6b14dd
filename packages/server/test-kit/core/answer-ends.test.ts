/** How answers end when their node goes: drain on shutdown, and takeover of an answer whose owner vanished. */
import type { Message } from "@tokencast/protocol";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { CoreHarness, refusal } from "../harness/core-harness.ts";

describe("drain (the node shuts down)", () => {
  it("answers finishing within the grace end done; the rest end interrupted after it, text kept; new questions are refused", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "quick" });
    const bob = await h.join("Bob", { roomId: "slow" });
    const quick = await ada.ask("short?");
    const slow = await bob.ask("long?");
    const slowUpstream = await h.source.answer(1);
    slowUpstream.text("half of it");
    await h.streamed("slow", slow.replyId, "half of it");
    const quickUpstream = await h.source.answer(0);

    const drained = h.drain(250);
    quickUpstream.text("yes").finish();
    expect(await h.endOf(quick.replyId)).toMatchObject({ status: "done" });
    expect(h.broadcaster.endOf(slow.replyId)).toBeUndefined();
    await drained;

    expect(h.broadcaster.endOf(slow.replyId)).toMatchObject({
      status: "interrupted",
      seq: 1,
      error: { code: "server_shutdown" },
    });
    expect(slowUpstream.aborted).toBe(true);
    expect(await h.store.getMessage("slow", slow.replyId)).toMatchObject({ status: "interrupted", text: "half of it" });
    expect((await refusal(ada.ask("again?"))).code).toBe("server_shutdown");
  });
});

describe("orphan takeover (the answer's owner vanished)", () => {
  /** What a node that died left behind: a question and its answer half streamed, under its lock. */
  async function deadNodeAnswer(h: CoreHarness, roomId: string): Promise<Message> {
    const question: Message = {
      id: "q-dead",
      roomId,
      role: "user",
      author: "Ada",
      text: "q",
      seq: 0,
      status: "done",
      createdAt: 1,
    };
    const answer: Message = {
      id: "a-dead",
      roomId,
      role: "assistant",
      author: "m",
      text: "",
      seq: 0,
      status: "streaming",
      replyTo: question.id,
      createdAt: 2,
    };
    for (const message of [question, answer]) await h.store.addMessage(message);
    for (const [seq, text] of [
      [1, "half "],
      [2, "done"],
    ] as const)
      await h.store.appendDelta(roomId, answer.id, { seq, text });
    expect(await h.locks.acquire(roomId, answer.id)).toBe(true);
    return answer;
  }

  it("while its lease holds, the answer is busy and left alone", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const answer = await deadNodeAnswer(h, "r");
    await h.takeOverOrphans();
    expect(h.broadcaster.ends()).toEqual([]);
    expect((await refusal(ada.ask("q"))).code).toBe("busy");
    expect(await h.store.getMessage("r", answer.id)).toMatchObject({ status: "streaming" });
  });

  it("once its lease lapsed, it ends interrupted owner_lost with its text, the room hears it, and the room is free", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const answer = await deadNodeAnswer(h, "r");
    await h.locks.lapse({ roomId: "r", messageId: answer.id });
    await h.takeOverOrphans();
    expect(h.broadcaster.ends()).toEqual([
      {
        roomId: "r",
        messageId: answer.id,
        seq: 2,
        status: "interrupted",
        error: expect.objectContaining({ code: "owner_lost" }),
      },
    ]);
    expect(await h.store.getMessage("r", answer.id)).toMatchObject({
      status: "interrupted",
      text: "half done",
      error: { code: "owner_lost" },
    });
    expect(await h.locks.orphans()).toEqual([]);
    await h.takeOverOrphans();
    expect(h.broadcaster.ends()).toHaveLength(1);
    await ada.ask("again?");
  });

  it("an answer this node still runs is not taken over when its own lease lapsed (a stall, not a death)", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const { replyId } = await ada.ask("q");
    const upstream = await h.source.answer(0);
    await h.locks.lapse({ roomId: "r", messageId: replyId });
    await h.takeOverOrphans();
    expect(h.broadcaster.endOf(replyId)).toBeUndefined();
    upstream.text("still mine").finish();
    expect(await h.endOf(replyId)).toMatchObject({ status: "done" });
  });
});

describe("continuation (a dead node's answer goes on on another)", () => {
  const continuing = { continuation: { nodeId: "node-b", maxContinuations: 2 } };

  /** A dead node's answer, "half done" at seq 2, listed as an orphan. */
  async function orphaned(h: CoreHarness, continuedBy?: string[]): Promise<{ question: Message; answer: Message }> {
    const question: Message = {
      id: "q1",
      roomId: "r",
      role: "user",
      author: "Ada",
      text: "Why?",
      seq: 0,
      status: "done",
      createdAt: 1,
    };
    const answer: Message = {
      id: "a1",
      roomId: "r",
      role: "assistant",
      author: "m",
      text: "",
      seq: 0,
      status: "streaming",
      replyTo: "q1",
      createdAt: 2,
      ...(continuedBy ? { continuedBy } : {}),
    };
    for (const message of [question, answer]) await h.store.addMessage(message);
    const owner = continuedBy?.length ?? 0;
    await h.store.appendDelta("r", "a1", { seq: 1, text: "half " }, owner);
    await h.store.appendDelta("r", "a1", { seq: 2, text: "done" }, owner);
    await h.locks.lapse({ roomId: "r", messageId: "a1" });
    return { question, answer };
  }

  it("asks the LLM to continue the logged text and appends after its seq; the room sees no end until it is done", async () => {
    const h = new CoreHarness(continuing);
    h.source.continues = true;
    await h.join("Ada", { roomId: "r" });
    await orphaned(h);
    await h.takeOverOrphans();
    const upstream = await h.source.answer(0);
    expect(upstream.request.continueFrom).toBe("half done");
    expect(upstream.request.turns.at(-1)).toEqual({ role: "user", content: "Why?" });
    expect(h.broadcaster.endOf("a1")).toBeUndefined();
    expect(await h.store.getMessage("r", "a1")).toMatchObject({ status: "streaming", continuedBy: ["node-b"] });
    const told = h.broadcaster.in("r").flatMap((r) => (r.type === "message" ? [r.event] : []));
    expect(told.at(-1)).toMatchObject({ id: "a1", text: "half done", seq: 2, continuedBy: ["node-b"] });
    upstream.text(" and", " finished").finish();
    expect(await h.endOf("a1")).toMatchObject({ status: "done", seq: 3 });
    expect(h.broadcaster.textOf("a1")).toBe(" and finished");
    expect(await h.store.getMessage("r", "a1")).toMatchObject({
      status: "done",
      text: "half done and finished",
      seq: 3,
      continuedBy: ["node-b"],
    });
    // Replays show the text from before the takeover at once (its timing died with its node), then the rest.
    const timing = (await h.store.getMessage("r", "a1"))?.timing;
    expect(timing?.[0]).toEqual([0, "half done".length]);
    expect(timing?.at(-1)?.[1]).toBe("half done and finished".length);
    expect(await h.locks.orphans()).toEqual([]);
  });

  it("ends it interrupted as before when the LLM cannot continue, or it was continued LLM_CONTINUE_MAX times", async () => {
    for (const [continues, continuedBy] of [
      [false, undefined],
      [true, ["node-x", "node-y"]],
    ] as const) {
      const h = new CoreHarness(continuing);
      h.source.continues = continues;
      await h.join("Ada", { roomId: "r" });
      await orphaned(h, continuedBy && [...continuedBy]);
      await h.takeOverOrphans();
      expect(await h.endOf("a1")).toMatchObject({ status: "interrupted", error: { code: "owner_lost" } });
      expect(h.source.answers).toHaveLength(0);
    }
  });

  it("a node that stalled past its lease is fenced out once another took the answer: it neither writes, ends, nor frees the room", async () => {
    const h = new CoreHarness(continuing);
    const ada = await h.join("Ada", { roomId: "r" });
    const { replyId } = await ada.ask("q");
    const stale = await h.source.answer(0);
    stale.text("mine ");
    await h.streamed("r", replyId, "mine ");
    // Meanwhile another node took the answer over (its lease had lapsed) and holds the room.
    expect(await h.store.continueMessage("r", replyId, "node-c", 0)).toBeDefined();
    stale.text("late").finish();
    await waitFor(() => h.rooms.activeCount() === 0, { what: "the stale answer to stop" });
    expect(h.broadcaster.endOf(replyId)).toBeUndefined();
    expect(await h.store.getMessage("r", replyId)).toMatchObject({ status: "streaming", text: "mine ", seq: 1 });
    expect((await refusal(ada.ask("next?"))).code).toBe("busy");
  });

  it("a draining node hands its answers over at once: text logged, no end, an orphan for another node, none taken itself", async () => {
    const h = new CoreHarness(continuing);
    h.source.continues = true;
    const ada = await h.join("Ada", { roomId: "r" });
    const { replyId } = await ada.ask("q");
    const upstream = await h.source.answer(0);
    upstream.text("so ", "far");
    await h.streamed("r", replyId, "so far");
    const started = performance.now();
    await h.drain(60_000);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(upstream.aborted).toBe(true);
    expect(h.broadcaster.endOf(replyId)).toBeUndefined();
    expect(await h.store.getMessage("r", replyId)).toMatchObject({ status: "streaming", text: "so far" });
    expect(await h.locks.orphans()).toEqual([{ roomId: "r", messageId: replyId }]);
    await h.takeOverOrphans();
    expect((await h.store.getMessage("r", replyId))?.continuedBy).toBeUndefined();
    expect(h.source.answers).toHaveLength(1);
  });
});
