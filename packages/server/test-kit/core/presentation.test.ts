/**
 * Presentations a projector can carry, on the memory core: join codes (who may show one, which
 * rooms have one, what looking one up reveals), anonymous questions, un-votes, askers editing or
 * withdrawing their own questions, the asker told of a dismissal, approval before the audience
 * sees a question, and the answered list with restore.
 */
import { describe, expect, it } from "vitest";
import { ANONYMOUS_AUTHOR, JOIN_CODE_LENGTH } from "@tokencast/protocol";
import { CoreHarness, refusal } from "../harness/core-harness.ts";

async function talk(h: CoreHarness, approveQuestions = false) {
  const created = await h.rooms.createRoom({ title: "Talk", mode: "presentation", approveQuestions });
  const roomId = created.info.id;
  const owner = await h.join("Olga", { roomId, key: created.ownerKey });
  const presenter = await h.join("Pia", { roomId, key: created.presenterKey });
  const ada = await h.join("Ada", { roomId });
  const bob = await h.join("Bob", { roomId });
  return { roomId, owner, presenter, ada, bob };
}

const listed = async (h: CoreHarness, roomId: string) =>
  (await h.join("Reader", { roomId, role: "viewer" })).joined.queue;

describe("join codes", () => {
  it("owner and presenters get the room's one code; viewers may not; the code names the room", async () => {
    const h = new CoreHarness();
    const { roomId, owner, presenter, ada } = await talk(h);
    const { code } = await presenter.joinCode();
    expect(code).toMatch(new RegExp(`^[A-Z2-9]{${JOIN_CODE_LENGTH}}$`));
    expect(code).not.toMatch(/[01OIL]/);
    expect((await owner.joinCode()).code).toBe(code);
    expect((await refusal(ada.joinCode())).code).toBe("forbidden");
    expect(await h.rooms.roomOfJoinCode(code)).toEqual({ roomId });
    expect((await refusal(h.rooms.roomOfJoinCode("ZZZZZZ"))).code).toBe("not_found");
  });

  it("never leads to a private room: none is made for one, and a room made private is not found by its code", async () => {
    const h = new CoreHarness();
    const { roomId, owner } = await talk(h);
    const { code } = await owner.joinCode();
    await h.rooms.updateSettings(owner.id, { roomId, settings: { private: true } });
    const hidden = await refusal(h.rooms.roomOfJoinCode(code));
    expect(hidden).toMatchObject({ code: "not_found", message: expect.stringContaining("No live room") });
    expect((await refusal(owner.joinCode())).message).toContain("private");
  });

  it("ad-hoc rooms (nobody created them) have no code", async () => {
    const h = new CoreHarness();
    const ada = await h.join("Ada", { roomId: "adhoc-room" });
    expect((await refusal(ada.joinCode())).code).toBe("forbidden");
  });
});

describe("the audience's own questions", () => {
  it("an anonymous question shows nobody's name, to presenters neither, nor when sent to the model", async () => {
    const h = new CoreHarness();
    const { roomId, presenter, ada } = await talk(h);
    const { questionId } = await ada.submitQuestion("Who pays for this?", true);
    const [question] = await listed(h, roomId);
    expect(question).toMatchObject({ author: ANONYMOUS_AUTHOR, anonymous: true });
    expect(JSON.stringify(question)).not.toContain("Ada");
    await presenter.sendQuestion(questionId);
    const asked = h.broadcaster.events.find((e) => e.type === "message" && e.event.role === "user");
    expect(asked?.event).toMatchObject({ author: ANONYMOUS_AUTHOR, text: "Who pays for this?" });
  });

  it("un-vote takes one's own vote back only", async () => {
    const h = new CoreHarness();
    const { ada, bob } = await talk(h);
    const { questionId } = await ada.submitQuestion("Why?");
    await ada.vote(questionId);
    expect(await bob.vote(questionId)).toEqual({ votes: 2 });
    expect(await bob.unvote(questionId)).toEqual({ votes: 1 });
    expect(await bob.unvote(questionId)).toEqual({ votes: 1 });
    expect((await refusal(bob.unvote("no-such-question"))).code).toBe("not_found");
  });

  it("only the asker edits or withdraws a question, while it is queued; text rules hold", async () => {
    const h = new CoreHarness();
    const { roomId, presenter, ada, bob } = await talk(h);
    const { questionId } = await ada.submitQuestion("Wrod?");
    expect((await refusal(bob.editQuestion(questionId, "mine now"))).code).toBe("forbidden");
    expect((await refusal(presenter.withdrawQuestion(questionId))).code).toBe("forbidden");
    expect((await refusal(ada.editQuestion(questionId, "x".repeat(10_000)))).code).toBe("text_too_long");
    await ada.editQuestion(questionId, "Word?");
    expect((await listed(h, roomId)).map((q) => q.text)).toEqual(["Word?"]);
    await ada.withdrawQuestion(questionId);
    expect(await listed(h, roomId)).toEqual([]);
    expect((await refusal(ada.editQuestion(questionId, "again"))).code).toBe("not_found");
  });

  it("a dismissed question's asker, and only they, hear of it", async () => {
    const h = new CoreHarness();
    const { presenter, ada, bob } = await talk(h);
    const { questionId } = await ada.submitQuestion("Off topic?");
    expect((await refusal(bob.dismissQuestion(questionId))).code).toBe("forbidden");
    await presenter.dismissQuestion(questionId);
    const notices = h.broadcaster.events.filter((e) => e.type === "questionDismissed");
    expect(notices).toEqual([
      expect.objectContaining({
        event: { roomId: ada.roomId, questionId, text: "Off topic?" },
        asker: h.rooms.voterOf(ada.id),
      }),
    ]);
    expect(h.rooms.voterOf(bob.id)).not.toBe(h.rooms.voterOf(ada.id));
  });
});

describe("approval before the audience sees a question", () => {
  it("a viewer's question waits, published only as a pending patch, until a presenter approves it", async () => {
    const h = new CoreHarness();
    const { roomId, owner, presenter, ada, bob } = await talk(h, true);
    const submitted = await ada.submitQuestion("Pending?");
    expect(submitted).toEqual({ questionId: expect.any(String), pending: true });
    const { questionId } = submitted;
    expect(await listed(h, roomId)).toEqual([]);
    expect((await h.join("Reader", { roomId, role: "viewer" })).joined.pending).toBeUndefined();
    expect(owner.joined.pending?.questions).toEqual([]);
    const queueEvents = () => h.broadcaster.events.filter((e) => e.type === "queue");
    await expect.poll(() => queueEvents().map((e) => e.type === "queue" && e.list)).toEqual(["pending"]);

    expect((await refusal(bob.approveQuestion(questionId))).code).toBe("forbidden");
    expect((await refusal(bob.vote(questionId))).code).toBe("not_found");
    await ada.editQuestion(questionId, "Pending, edited?");
    await presenter.approveQuestion(questionId);
    expect((await listed(h, roomId)).map((q) => q.text)).toEqual(["Pending, edited?"]);
    expect((await refusal(owner.approveQuestion(questionId))).code).toBe("not_found");
    // Moderators' own questions go straight to the queue.
    expect(await presenter.submitQuestion("From the stage")).not.toHaveProperty("pending");
  });

  it("a pending question may be dismissed (its asker is told) or withdrawn by its asker", async () => {
    const h = new CoreHarness();
    const { roomId, owner, presenter, ada } = await talk(h, true);
    const first = await ada.submitQuestion("One?");
    const second = await ada.submitQuestion("Two?");
    await presenter.dismissQuestion(first.questionId);
    expect(h.broadcaster.events.filter((e) => e.type === "questionDismissed")).toHaveLength(1);
    await ada.withdrawQuestion(second.questionId);
    expect((await h.join("Reader", { roomId, role: "viewer" })).joined.queue).toEqual([]);
    expect(owner.joined.pending?.questions).toEqual([]);
  });
});

describe("the answered list", () => {
  it("a sent question moves to the answered list; whoever may prompt restores it, with votes starting over", async () => {
    const h = new CoreHarness();
    const { roomId, presenter, ada, bob } = await talk(h);
    const { questionId } = await ada.submitQuestion("Again?");
    await bob.vote(questionId);
    await presenter.sendQuestion(questionId);
    const later = await h.join("Late", { roomId, role: "viewer" });
    expect(later.joined.queue).toEqual([]);
    expect(later.joined.answered?.questions).toEqual([expect.objectContaining({ id: questionId, text: "Again?" })]);
    expect((await refusal(bob.restoreQuestion(questionId))).code).toBe("forbidden");
    await presenter.restoreQuestion(questionId);
    const [restored] = await listed(h, roomId);
    expect(restored).toMatchObject({ id: questionId, roomId, votes: 0 });
    expect((await h.join("Later", { roomId, role: "viewer" })).joined.answered?.questions).toEqual([]);
    // The asker still owns it.
    await ada.withdrawQuestion(questionId);
  });
});
