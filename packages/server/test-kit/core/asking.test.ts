/** Asking rules on the memory core: one answer at a time per room, stop, and regenerate. */
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.ts";
import { CoreHarness, refusal } from "../harness/core-harness.ts";

describe("busy: one answer streams per room", () => {
  it("a second question while an answer streams is refused busy, stores nothing and asks no upstream", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const bob = await h.join("Bob", { roomId: "r" });
    const first = await ada.ask("first?");
    expect((await refusal(bob.ask("second?"))).code).toBe("busy");
    expect((await h.store.listMessages("r")).map((m) => m.id)).toEqual([first.messageId, first.replyId]);
    const answer = await h.source.answer(0);
    answer.text("done").finish();
    await h.endOf(first.replyId);
    expect(h.source.answers).toHaveLength(1);
    await bob.ask("second, now?");
    await h.source.answer(1);
  });

  it("another room is not busy", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "one" });
    const bob = await h.join("Bob", { roomId: "two" });
    await ada.ask("q");
    await bob.ask("q");
    expect(h.broadcaster.in("two").filter((e) => e.type === "message")).toHaveLength(2);
  });
});

describe("an upstream failure", () => {
  it("ends the answer error with the upstream's code, keeps the text so far, and frees the room", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const { replyId } = await ada.ask("q");
    const upstream = await h.source.answer(0);
    upstream.text("so far").fail(new AppError("upstream_truncated", "The model's answer was cut off."));
    expect(await h.endOf(replyId)).toMatchObject({ status: "error", seq: 1, error: { code: "upstream_truncated" } });
    expect(await h.store.getMessage("r", replyId)).toMatchObject({ status: "error", text: "so far" });
    await ada.ask("again?");
  });
});

describe("stop", () => {
  it("ends the answer stopped by the stopper's name, keeps its text and aborts the upstream request", async () => {
    const h = new CoreHarness();
    const bob = await h.join("Bob", { roomId: "r" });
    const ada = await h.join("Ada", { roomId: "r" });
    const { replyId } = await bob.ask("long essay");
    const upstream = await h.source.answer(0);
    upstream.text("Once ", "upon");
    await h.streamed("r", replyId, "Once upon");
    await ada.stop(replyId);
    const end = await h.endOf(replyId);
    expect(end).toMatchObject({
      status: "stopped",
      stoppedBy: "Ada",
      seq: h.broadcaster.in("r").filter((e) => e.type === "delta").length,
    });
    expect(upstream.aborted).toBe(true);
    expect(await h.store.getMessage("r", replyId)).toMatchObject({
      status: "stopped",
      stoppedBy: "Ada",
      text: "Once upon",
    });
    expect(h.broadcaster.textOf(replyId)).toBe("Once upon");
  });

  it("is refused to whom the room does not allow (a viewer), and the answer streams on", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const vic = await h.join("Vic", { roomId: "r", role: "viewer" });
    const { replyId } = await ada.ask("q");
    expect((await refusal(vic.stop(replyId))).code).toBe("forbidden");
    const upstream = await h.source.answer(0);
    expect(upstream.aborted).toBe(false);
    upstream.text("all of it").finish();
    expect(await h.endOf(replyId)).toMatchObject({ status: "done" });
  });

  it("follows the room's setting: in a presentation only the owner and presenters stop", async () => {
    const h = new CoreHarness();
    const talk = await h.createRoom("presentation");
    const roomId = talk.info.id;
    const pia = await h.join("Pia", { roomId, key: talk.presenterKey });
    const pat = await h.join("Pat", { roomId, role: "participant" });
    const { replyId } = await pia.ask("q");
    expect((await refusal(pat.stop(replyId))).code).toBe("forbidden");
    await pia.stop(replyId);
    expect(await h.endOf(replyId)).toMatchObject({ status: "stopped", stoppedBy: "Pia" });
  });

  it("names the answer by id: an ended one is not_streaming, an unknown one not_found, and the running one streams on", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const first = await ada.ask("q1");
    (await h.source.answer(0)).text("a1").finish();
    await h.endOf(first.replyId);
    const second = await ada.ask("q2");
    expect((await refusal(ada.stop(first.replyId))).code).toBe("not_streaming");
    expect((await refusal(ada.stop("no-such-answer"))).code).toBe("not_found");
    expect((await h.source.answer(1)).aborted).toBe(false);
    await ada.stop(second.replyId);
    expect(await h.endOf(second.replyId)).toMatchObject({ status: "stopped" });
  });
});

describe("regenerate", () => {
  /** Someone asks (or regenerates) and the model answers `answer` to the end; returns the ids. */
  async function exchange<Sent extends { replyId: string }>(
    h: CoreHarness,
    ask: () => Promise<Sent>,
    answer: string,
  ): Promise<Sent> {
    const index = h.source.answers.length;
    const sent = await ask();
    (await h.source.answer(index)).text(answer).finish();
    await h.endOf(sent.replyId);
    return sent;
  }

  it("asks again with the conversation up to the answer's question, and names what it replaces", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const bob = await h.join("Bob", { roomId: "r" });
    await exchange(h, () => ada.ask("q1"), "a1");
    const two = await exchange(h, () => ada.ask("q2"), "a2");
    const again = await exchange(h, () => bob.regenerate(two.replyId), "a2 again");
    expect(h.source.answers[2]!.request.turns).toEqual([
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "q2" },
    ]);
    const regenerated = await h.store.getMessage("r", again.replyId);
    expect(regenerated).toMatchObject({
      replyTo: two.messageId,
      regenerates: two.replyId,
      regeneratedBy: "Bob",
      text: "a2 again",
    });
    expect(await h.store.getMessage("r", two.replyId)).toMatchObject({ text: "a2", status: "done" });
  });

  it("only regenerates the room's latest answer (not_latest), also once a regenerated one follows it", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const one = await exchange(h, () => ada.ask("q1"), "a1");
    const two = await exchange(h, () => ada.ask("q2"), "a2");
    expect((await refusal(ada.regenerate(one.replyId))).code).toBe("not_latest");
    const again = await exchange(h, () => ada.regenerate(two.replyId), "a2 again");
    expect((await refusal(ada.regenerate(two.replyId))).code).toBe("not_latest");
    await exchange(h, () => ada.regenerate(again.replyId), "a2 third");
    expect(h.source.answers).toHaveLength(4);
  });

  it("leaves replaced answers out of later conversations", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const one = await exchange(h, () => ada.ask("q1"), "a1");
    await exchange(h, () => ada.regenerate(one.replyId), "better a1");
    await exchange(h, () => ada.ask("q2"), "a2");
    expect(h.source.answers[2]!.request.turns).toEqual([
      { role: "user", content: "q1" },
      { role: "assistant", content: "better a1" },
      { role: "user", content: "q2" },
    ]);
  });

  it("is refused for an answer still streaming (busy), a question (not_found), and by a viewer (forbidden)", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const vic = await h.join("Vic", { roomId: "r", role: "viewer" });
    const one = await exchange(h, () => ada.ask("q1"), "a1");
    expect((await refusal(ada.regenerate(one.messageId))).code).toBe("not_found");
    expect((await refusal(vic.regenerate(one.replyId))).code).toBe("forbidden");
    const two = await ada.ask("q2");
    expect((await refusal(ada.regenerate(two.replyId))).code).toBe("busy");
    expect((await refusal(ada.regenerate(one.replyId))).code).toBe("not_latest");
  });
});
