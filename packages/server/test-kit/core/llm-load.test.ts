/**
 * The LLM load rules on the memory core: answers started per client IP (ANSWERS_PER_IP_PER_MINUTE),
 * answers nobody watches (ABANDONED_ANSWER_GRACE_MS), and the node's upkeep tasks.
 */
import { describe, expect, it } from "vitest";
import type { ActionBudget } from "../../src/core/ports.ts";
import { CoreHarness, refusal } from "../harness/core-harness.ts";

/** A budget of `allowance` per key, forever (the real one refills per window). */
function budgetOf(allowance: number): ActionBudget & { spent: string[] } {
  const spent: string[] = [];
  return {
    spent,
    spend: async (key) => {
      spent.push(key);
      return spent.filter((k) => k === key).length > allowance ? 42_000 : undefined;
    },
  };
}

describe("answers started per client IP (ANSWERS_PER_IP_PER_MINUTE)", () => {
  it("over the budget: rate_limited with retryAfter, nothing stored, no upstream request; another IP still asks", async () => {
    const budget = budgetOf(2);
    const h = new CoreHarness({ budgets: { answers: budget } });
    const ip = "203.0.113.7";
    const [one, two, three] = [
      await h.join("Eve", { roomId: "r1", ip }),
      await h.join("Eve", { roomId: "r2", ip }),
      await h.join("Eve", { roomId: "r3", ip }),
    ];
    await one.ask("one");
    await two.ask("two");
    const error = await refusal(three.ask("three"));
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfter).toBe(42);
    expect(await h.store.listMessages("r3")).toEqual([]);
    expect(h.source.answers).toHaveLength(2);
    await (await h.join("Bob", { roomId: "r3", ip: "198.51.100.1" })).ask("mine");
    expect(budget.spent).toEqual([ip, ip, ip, "198.51.100.1"]);
  });

  it("a question to a busy room costs nothing; regenerate and a presenter's queue:send charge the asker's IP", async () => {
    const budget = budgetOf(10);
    const h = new CoreHarness({ budgets: { answers: budget } });
    const ada = await h.join("Ada", { roomId: "chat", ip: "198.51.100.1" });
    const first = await ada.ask("q");
    expect((await refusal(ada.ask("again"))).code).toBe("busy");
    expect(budget.spent).toHaveLength(1);
    await ada.stop(first.replyId);
    await h.endOf(first.replyId);
    await ada.regenerate(first.replyId);
    expect(budget.spent).toEqual(["198.51.100.1", "198.51.100.1"]);

    const talk = await h.createRoom("presentation", "Talk");
    const roomId = talk.info.id;
    const pia = await h.join("Pia", { roomId, key: talk.presenterKey, ip: "198.51.100.50" });
    const audience = await h.join("Aud", { roomId, ip: "198.51.100.60" });
    const { questionId } = await audience.submitQuestion("why?");
    await pia.sendQuestion(questionId);
    expect(budget.spent.at(-1)).toBe("198.51.100.50");
  });

  it("a refused queue:send puts the question back", async () => {
    const h = new CoreHarness({ budgets: { answers: budgetOf(0) } });
    const talk = await h.createRoom("presentation", "Talk");
    const roomId = talk.info.id;
    const pia = await h.join("Pia", { roomId, key: talk.presenterKey });
    const { questionId } = await pia.submitQuestion("why?");
    expect((await refusal(pia.sendQuestion(questionId))).code).toBe("rate_limited");
    expect((await h.join("Pia", { roomId, key: talk.presenterKey })).joined.queue).toHaveLength(1);
  });
});

describe("answers nobody watches (ABANDONED_ANSWER_GRACE_MS)", () => {
  it("an ad-hoc room's answer stops after the grace once its only viewer left: stopped, text kept, upstream aborted", async () => {
    const h = new CoreHarness({ limits: { abandonedAnswerGraceMs: 30_000 } });
    const ada = await h.join("Ada", { roomId: "adhoc" });
    const { replyId } = await ada.ask("long essay");
    const upstream = await h.source.answer(0);
    upstream.text("partial");
    await h.streamed("adhoc", replyId, "partial");
    ada.disconnect();
    await h.stopAbandoned();
    h.clock.advance(29_000);
    await h.stopAbandoned();
    expect(upstream.aborted).toBe(false);
    h.clock.advance(1000);
    await h.stopAbandoned();
    expect(upstream.aborted).toBe(true);
    const end = await h.endOf(replyId);
    expect(end).toMatchObject({ messageId: replyId, status: "stopped", stopReason: "nobody_watching" });
    expect(end.stoppedBy).toBeUndefined();
    expect(h.broadcaster.ends()).toHaveLength(1);
    expect(await h.store.getMessage("adhoc", replyId)).toMatchObject({
      status: "stopped",
      stopReason: "nobody_watching",
      text: "partial",
    });
  });

  it("a created room's answer streams on for whoever comes back", async () => {
    const h = new CoreHarness({ limits: { abandonedAnswerGraceMs: 1000 } });
    const talk = await h.createRoom();
    const ada = await h.join("Ada", { roomId: talk.info.id });
    await ada.ask("q");
    const upstream = await h.source.answer(0);
    ada.disconnect();
    for (let i = 0; i < 3; i++) {
      await h.stopAbandoned();
      h.clock.advance(5000);
    }
    expect(upstream.aborted).toBe(false);
    expect(h.broadcaster.ends()).toEqual([]);
  });
});

describe("the node's upkeep tasks", () => {
  it("are named, with the intervals of their ports (memory: no heartbeat, no orphans) and of the grace", () => {
    const tasks = (graceMs: number) =>
      new CoreHarness({ limits: { abandonedAnswerGraceMs: graceMs } }).rooms
        .upkeepTasks()
        .map(({ name, everyMs }) => [name, everyMs]);
    expect(tasks(30_000)).toEqual([
      ["orphaned answers", 0],
      ["heartbeat", 0],
      ["dead nodes' members", 0],
      ["abandoned answers", 1000],
    ]);
    expect(tasks(0).at(-1)).toEqual(["abandoned answers", 0]);
  });
});
