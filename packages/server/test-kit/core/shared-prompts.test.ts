/** Ask-once (`chat:send` with `shared`) and replays for the room, on the memory core. */
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.ts";
import { REPLAY_INTERVAL_MS } from "../../src/core/room-replays.ts";
import { CLAIM_SETTLE_MS, promptKey } from "../../src/core/shared-prompts.ts";
import { CoreHarness, refusal } from "../harness/core-harness.ts";

describe("ask-once: the room's answer to a shared prompt", () => {
  it("readers arriving together get one question and one answer; later readers get it back", async () => {
    const h = new CoreHarness();
    const [ada, bob, cy] = await Promise.all(["Ada", "Bob", "Cy"].map((name) => h.join(name, { roomId: "r" })));
    const [first, second] = await Promise.all([ada!.askShared("What is new?"), bob!.askShared("What is  new? ")]);
    expect(second).toEqual({ messageId: first.messageId, replyId: first.replyId, shared: true });
    expect(first.shared).toBeUndefined();
    (await h.source.answer(0)).text("Lots").finish();
    await h.endOf(first.replyId);
    expect(await cy!.askShared("What is new?")).toEqual({ ...second });
    expect(h.source.answers).toHaveLength(1);
    expect(await h.store.listMessages("r")).toHaveLength(2);
  });

  it("a plain send (the embed's `fresh`) asks anew, and another text is another prompt", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const shared = await ada.askShared("q");
    (await h.source.answer(0)).text("a").finish();
    await h.endOf(shared.replyId);
    const fresh = await ada.ask("q");
    expect(fresh.replyId).not.toBe(shared.replyId);
    (await h.source.answer(1)).text("b").finish();
    await h.endOf(fresh.replyId);
    expect((await ada.askShared("q")).replyId).toBe(shared.replyId);
    expect((await ada.askShared("other q")).shared).toBeUndefined();
  });

  it("a failed answer is asked again; a claim whose answer could not start is given back", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const failed = await ada.askShared("q");
    (await h.source.answer(0)).fail(new AppError("upstream_truncated", "cut off"));
    await h.endOf(failed.replyId);
    const again = await ada.askShared("q");
    expect(again.shared).toBeUndefined();
    expect(again.replyId).not.toBe(failed.replyId);
    expect((await refusal(ada.askShared("while busy"))).code).toBe("busy");
    (await h.source.answer(1)).text("ok").finish();
    await h.endOf(again.replyId);
    expect((await ada.askShared("while busy")).shared).toBeUndefined();
  });

  it("an answer stopped because everyone left is not the room's answer: the next reader asks again", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const base = { roomId: "r", author: "Ada", seq: 0, createdAt: h.clock.now() };
    await h.store.addMessage({ ...base, id: "q-left", role: "user", text: "q", status: "done" });
    const answer = {
      ...base,
      id: "a-left",
      role: "assistant",
      text: "",
      status: "streaming",
      replyTo: "q-left",
    } as const;
    await h.store.addMessage(answer);
    await h.store.finishMessage("r", "a-left", { status: "stopped", stopReason: "nobody_watching" });
    await h.store.claimPrompt("r", promptKey("q"), { messageId: "q-left", replyId: "a-left", claimedAt: 0 });
    expect((await ada.askShared("q")).shared).toBeUndefined();
  });

  it("a claim never stored is replaced once it has had time to settle", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const lost = { messageId: "q-lost", replyId: "a-lost", claimedAt: h.clock.now() };
    await h.store.claimPrompt("r", promptKey("q"), lost);
    expect(await ada.askShared("q")).toMatchObject({ replyId: "a-lost", shared: true });
    h.clock.advance(CLAIM_SETTLE_MS + 1);
    expect((await ada.askShared("q")).shared).toBeUndefined();
  });

  it("still needs the right to prompt and keeps the length limit", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const vic = await h.join("Vic", { roomId: "r", role: "viewer" });
    const { replyId } = await ada.askShared("q");
    expect((await refusal(vic.askShared("q"))).code).toBe("forbidden");
    expect((await refusal(ada.askShared("x".repeat(1001)))).code).toBe("text_too_long");
    expect(replyId).toBeTruthy();
  });
});

describe("answer timing", () => {
  it("an ended answer carries [offsetMs, chars] pairs up to its whole text, in its end and in the store", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "r" });
    const { replyId } = await ada.ask("q");
    const upstream = await h.source.answer(0);
    upstream.text("Hello");
    await h.streamed("r", replyId, "Hello");
    upstream.text(" world").finish();
    const end = await h.endOf(replyId);
    expect(end.timing?.at(-1)?.[1]).toBe("Hello world".length);
    expect(end.timing?.map(([, chars]) => chars)).toEqual([5, 11]);
    expect((await h.store.getMessage("r", replyId))?.timing).toEqual(end.timing);
    const deltas = h.broadcaster.in("r").filter((e) => e.type === "delta");
    for (const delta of deltas) expect(Object.keys(delta.event).sort()).toEqual(["messageId", "roomId", "seq", "text"]);
  });
});

describe("replay for the room", () => {
  async function presentation() {
    const h = new CoreHarness();
    const talk = await h.createRoom("presentation");
    const roomId = talk.info.id;
    const pia = await h.join("Pia", { roomId, key: talk.presenterKey });
    const vic = await h.join("Vic", { roomId });
    const { replyId, messageId } = await pia.ask("q");
    return { h, roomId, pia, vic, replyId, messageId };
  }

  it("a presenter replays a finished answer for everyone; a viewer may not", async () => {
    const { h, roomId, pia, vic, replyId } = await presentation();
    expect((await refusal(pia.replay(replyId))).code).toBe("busy");
    (await h.source.answer(0)).text("done").finish();
    await h.endOf(replyId);
    expect((await refusal(vic.replay(replyId))).code).toBe("forbidden");
    await pia.replay(replyId);
    const replays = h.broadcaster.in(roomId).filter((e) => e.type === "replay");
    expect(replays.map((e) => e.event)).toEqual([{ roomId, messageId: replyId, by: "Pia" }]);
  });

  it("is refused for a question or an unknown id, and rate-limited per room", async () => {
    const { h, pia, replyId, messageId } = await presentation();
    (await h.source.answer(0)).text("done").finish();
    await h.endOf(replyId);
    expect((await refusal(pia.replay(messageId))).code).toBe("not_found");
    expect((await refusal(pia.replay("nope"))).code).toBe("not_found");
    await pia.replay(replyId);
    const limited = await refusal(pia.replay(replyId));
    expect(limited).toMatchObject({ code: "rate_limited", retryAfter: REPLAY_INTERVAL_MS / 1000 });
    h.clock.advance(REPLAY_INTERVAL_MS);
    await pia.replay(replyId);
  });
});
