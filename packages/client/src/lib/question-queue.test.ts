import { describe, expect, it } from "vitest";
import type { QueuedQuestion } from "@tokencast/protocol";
import { QuestionQueue, VoteMemory, sortQuestions } from "./question-queue.ts";
import { answerLinks, canRegenerate } from "./answer-links.ts";
import { answer, question } from "./testing/test-messages.ts";

const q = (id: string, votes: number, createdAt: number): QueuedQuestion => ({ id, roomId: "r", text: id, author: "a", votes, createdAt });

describe("QuestionQueue", () => {
  it("sorts by votes, then age, and keeps the total count", () => {
    expect(sortQuestions([q("old", 1, 1), q("top", 5, 3), q("new", 1, 2)]).map((x) => x.id)).toEqual(["top", "old", "new"]);
    const queue = new QuestionQueue("r", new VoteMemory());
    queue.apply({ roomId: "r", questions: [q("a", 0, 1), q("b", 2, 2)], count: 120 });
    expect(queue.questions.map((x) => x.id)).toEqual(["b", "a"]);
    expect(queue.count).toBe(120);
  });

  it("remembers votes per room across queues of the same memory", () => {
    const memory = new VoteMemory();
    const first = new QuestionQueue("r", memory);
    first.markVoted("a");
    expect(first.hasVoted("a")).toBe(true);
    expect(new QuestionQueue("r", memory).hasVoted("a")).toBe(true);
    expect(new QuestionQueue("other", memory).hasVoted("a")).toBe(false);
    first.unmarkVoted("a");
    expect(first.hasVoted("a")).toBe(false);
  });
});

describe("answerLinks", () => {
  it("maps a replaced answer to its newest replacement", () => {
    const messages = [
      question("q"),
      answer("a1", { status: "done", replyTo: "q" }),
      answer("a2", { status: "stopped", replyTo: "q", regenerates: "a1" }),
      answer("a3", { status: "streaming", replyTo: "q", regenerates: "a2" }),
      answer("orphan", { regenerates: "gone" }),
      answer("thinking", { status: "pending" }),
    ];
    const { replacedBy } = answerLinks(messages);
    expect([...replacedBy]).toEqual([["a1", "a2"], ["a2", "a3"]]);
    expect(messages.map(canRegenerate)).toEqual([false, true, true, false, false, false]);
  });
});
