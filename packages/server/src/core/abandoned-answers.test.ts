import { describe, expect, it } from "vitest";
import { AbandonedAnswers } from "./abandoned-answers.ts";
import type { AnswerRef } from "./ports.ts";

/** Answers running in rooms, who is in which room, and a clock the test moves. */
function world(graceMs: number) {
  let now = 1_000_000;
  const running: AnswerRef[] = [];
  const occupied = new Set<string>();
  const created = new Set<string>();
  const stopped: AnswerRef[] = [];
  const rule = new AbandonedAnswers({
    graceMs,
    now: () => now,
    running: () => [...running],
    watched: async (roomId) => occupied.has(roomId) || created.has(roomId),
    stop: (answer) => {
      stopped.push(answer);
      running.splice(running.indexOf(answer), 1);
    },
  });
  return { rule, running, occupied, created, stopped, advance: (ms: number) => (now += ms) };
}

describe("AbandonedAnswers", () => {
  it("stops an answer once its room has been empty for the grace period, not before", async () => {
    const w = world(30_000);
    const answer = { roomId: "adhoc", messageId: "a1" };
    w.running.push(answer);
    w.occupied.add("adhoc");
    await w.rule.check();
    w.occupied.delete("adhoc"); // the only viewer leaves
    await w.rule.check();
    w.advance(29_999);
    await w.rule.check();
    expect(w.stopped).toEqual([]);
    w.advance(1);
    await w.rule.check();
    expect(w.stopped).toEqual([answer]);
  });

  it("someone coming back starts the count over", async () => {
    const w = world(1000);
    w.running.push({ roomId: "r", messageId: "a" });
    await w.rule.check();
    w.advance(900);
    w.occupied.add("r");
    await w.rule.check();
    w.occupied.delete("r");
    w.advance(500);
    await w.rule.check();
    w.advance(900);
    await w.rule.check();
    expect(w.stopped).toEqual([]);
    w.advance(100);
    await w.rule.check();
    expect(w.stopped).toHaveLength(1);
  });

  it("never stops an answer of a created room, nor anything with a grace of 0", async () => {
    const w = world(1000);
    w.created.add("talk");
    w.running.push({ roomId: "talk", messageId: "a" });
    for (let i = 0; i < 3; i++) {
      await w.rule.check();
      w.advance(5000);
    }
    expect(w.stopped).toEqual([]);
    const never = world(0);
    never.running.push({ roomId: "r", messageId: "a" });
    await never.rule.check();
    never.advance(10 ** 9);
    await never.rule.check();
    expect(never.stopped).toEqual([]);
    expect(never.rule.everyMs).toBe(0);
  });

  it("checks often enough to stop within the grace plus a second", () => {
    expect(world(30_000).rule.everyMs).toBe(1000);
    expect(world(400).rule.everyMs).toBe(100);
    expect(world(10).rule.everyMs).toBe(50);
  });

  it("forgets answers that ended, so a later answer gets its own grace", async () => {
    const w = world(1000);
    w.running.push({ roomId: "r", messageId: "old" });
    await w.rule.check();
    w.running.pop();
    w.advance(5000);
    await w.rule.check();
    w.running.push({ roomId: "r", messageId: "new" });
    await w.rule.check();
    expect(w.stopped).toEqual([]);
  });
});
