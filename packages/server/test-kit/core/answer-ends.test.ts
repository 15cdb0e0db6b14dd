/** How answers end when their node goes: drain on shutdown, and takeover of an answer whose owner vanished. */
import type { Message } from "@tokencast/protocol";
import { describe, expect, it } from "vitest";
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
