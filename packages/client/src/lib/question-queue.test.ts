import { describe, expect, it } from "vitest";
import type { QueueChangedEvent, QueuedQuestion } from "@tokencast/protocol";
import { QuestionQueue, QuestionIdMemory } from "./question-queue.ts";
import { answerLinks, canRegenerate } from "./answer-links.ts";
import { answer, question } from "./testing/test-messages.ts";

const q = (id: string, votes: number, createdAt: number, rev = createdAt): QueuedQuestion => ({
  id,
  roomId: "r",
  text: id,
  author: "a",
  votes,
  createdAt,
  rev,
});
const patch = (upserts: QueuedQuestion[], version: number, count: number): QueueChangedEvent => ({
  roomId: "r",
  upserts,
  removed: [],
  complete: false,
  count,
  version,
});

describe("QuestionQueue", () => {
  it("sorts by votes, then age (the protocol's order), and keeps the total count", () => {
    const queue = new QuestionQueue("r", new QuestionIdMemory());
    queue.joining();
    queue.joined({ queue: [q("old", 1, 1), q("top", 5, 3), q("new", 1, 2)], queueCount: 120, queueVersion: 3 });
    expect(queue.questions.map((x) => x.id)).toEqual(["top", "old", "new"]);
    expect(queue.count).toBe(120);
  });

  it("applies vote patches (the client re-sorts); patches that come before the join's snapshot are kept, older ones ignored", () => {
    const queue = new QuestionQueue("r", new QuestionIdMemory());
    queue.joining();
    queue.joined({ queue: [q("a", 2, 1), q("b", 1, 2)], queueCount: 2, queueVersion: 2 });
    const shown = queue.questions;
    queue.joining(); // a reconnect: the list shown stays until the new snapshot
    queue.apply(patch([q("b", 3, 2, 9)], 9, 3));
    expect(queue.questions).toBe(shown);
    queue.joined({ queue: [q("a", 2, 1), q("b", 2, 2, 5), q("c", 0, 6)], queueCount: 3, queueVersion: 7 });
    expect(queue.questions.map((x) => [x.id, x.votes])).toEqual([
      ["b", 3],
      ["a", 2],
      ["c", 0],
    ]);
    queue.apply(patch([q("a", 1, 1, 1)], 4, 3));
    expect(queue.questions.map((x) => [x.id, x.votes])).toEqual([
      ["b", 3],
      ["a", 2],
      ["c", 0],
    ]);
    queue.apply(patch([q("c", 4, 6, 10)], 10, 3));
    expect(queue.questions.map((x) => [x.id, x.votes])).toEqual([
      ["c", 4],
      ["b", 3],
      ["a", 2],
    ]);
  });

  it("remembers votes per room across queues of the same memory", () => {
    const memory = new QuestionIdMemory();
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
    expect([...replacedBy]).toEqual([
      ["a1", "a2"],
      ["a2", "a3"],
    ]);
    expect(messages.map(canRegenerate)).toEqual([false, true, true, false, false, false]);
  });
});
