import { describe, expect, it } from "vitest";
import type { QueuedQuestion } from "@tokencast/protocol";
import { PresentationQuestions } from "./presentation-questions.ts";

const question = (id: string, rev: number): QueuedQuestion => ({
  id,
  roomId: "r",
  text: id,
  author: "Ada",
  createdAt: rev,
  votes: 0,
  rev,
});

describe("PresentationQuestions", () => {
  it("takes the answered and pending lists from the join, then their patches", () => {
    const lists = new PresentationQuestions("r");
    lists.joining();
    lists.joined({ answered: { questions: [question("a1", 1)], count: 1, version: 1 } });
    expect(lists.answered.questions.map((q) => q.id)).toEqual(["a1"]);
    expect(lists.pending.questions).toEqual([]);
    lists.pending.apply({
      roomId: "r",
      upserts: [question("p1", 2)],
      removed: [],
      complete: false,
      count: 1,
      version: 2,
    });
    expect(lists.pending.count).toBe(1);
  });

  it("remembers this person's questions awaiting approval until they show in the queue, or are settled", () => {
    const lists = new PresentationQuestions("r");
    lists.submitted({ id: "q1", text: "One?" });
    lists.submitted({ id: "q2", text: "Two?" });
    lists.queueChanged({
      roomId: "r",
      upserts: [question("q1", 3)],
      removed: [],
      complete: false,
      count: 1,
      version: 3,
    });
    expect(lists.awaitingApproval).toEqual([{ id: "q2", text: "Two?" }]);
    lists.settled("q2");
    expect(lists.awaitingApproval).toEqual([]);
  });
});
