/**
 * The QuestionQueue contract (core/ports.ts): a presentation's questions up to a bound, one vote
 * per voter, listed by votes then age, versioned per change. Run it against every implementation.
 */
import { describe, expect, it } from "vitest";
import type { QueuedQuestion } from "@tokencast/protocol";
import type { QuestionQueue } from "../../src/core/ports.ts";

export const queuedQuestion = (id: string, createdAt: number, roomId = "r"): QueuedQuestion => ({
  id,
  roomId,
  text: `q ${id}`,
  author: "Ada",
  createdAt,
  votes: 0,
  rev: 0,
});
const withoutRev = ({ rev: _rev, ...rest }: QueuedQuestion) => rest;

export function queueContract(name: string, make: () => QuestionQueue): void {
  describe(`QuestionQueue contract: ${name}`, () => {
    it("queues questions up to a bound, one vote per voter, most votes then oldest first", async () => {
      const queue = make();
      for (const [id, at] of [
        ["a", 1],
        ["b", 2],
        ["c", 3],
      ] as const)
        expect(await queue.submit(queuedQuestion(id, at), 3, "asker")).toBe(true);
      expect(await queue.submit(queuedQuestion("d", 4), 3, "asker")).toBe(false);
      expect(await queue.vote("r", "c", "v1")).toBe(1);
      expect(await queue.vote("r", "c", "v1")).toBe(1);
      expect(await queue.vote("r", "c", "v2")).toBe(2);
      expect(await queue.vote("r", "b", "v1")).toBe(1);
      expect(await queue.vote("r", "missing", "v1")).toBeUndefined();
      const listed = await queue.list("r", 2);
      expect(listed.count).toBe(3);
      expect(listed.questions.map((q) => [q.id, q.votes])).toEqual([
        ["c", 2],
        ["b", 1],
      ]);
      const taken = await queue.take("r", "c");
      expect(taken?.asker).toBe("asker");
      expect(withoutRev(taken!.question)).toEqual(withoutRev({ ...queuedQuestion("c", 3), votes: 2 }));
      expect(await queue.take("r", "c")).toBeUndefined();
      expect(await queue.vote("r", "c", "v3")).toBeUndefined();
      expect((await queue.list("r", 10)).questions.map((q) => q.id)).toEqual(["b", "a"]);
      expect(await queue.submit(queuedQuestion("d", 4), 3, "asker")).toBe(true);
      expect(await queue.list("other", 10)).toMatchObject({ questions: [], count: 0 });
    });

    it("versions: every change raises the queue's version; a question's rev is the version of its last change (a counted vote)", async () => {
      const queue = make();
      const versions = [(await queue.list("v", 10)).version];
      const step = async (change: () => Promise<unknown>) => {
        await change();
        const listed = await queue.list("v", 10);
        expect(listed.version).toBeGreaterThan(versions.at(-1)!);
        versions.push(listed.version);
        return listed;
      };
      const submitted = await step(() => queue.submit(queuedQuestion("a", 1, "v"), 10, "asker"));
      expect(submitted.questions[0]!.rev).toBe(submitted.version);
      const voted = await step(() =>
        queue.submit(queuedQuestion("b", 2, "v"), 10, "asker").then(() => queue.vote("v", "a", "v1")),
      );
      expect(voted.questions.map((q) => [q.id, q.rev === voted.version])).toEqual([
        ["a", true],
        ["b", false],
      ]);
      expect(voted.questions[1]!.rev).toBeGreaterThan(submitted.version);
      await queue.vote("v", "a", "v1"); // not counted: nothing changes
      expect((await queue.list("v", 10)).version).toBe(voted.version);
      const taken = await step(() => queue.take("v", "a"));
      expect(taken.questions.map((q) => q.id)).toEqual(["b"]);
    });

    it("un-votes: only a counted vote is taken back, and it is a change", async () => {
      const queue = make();
      await queue.submit(queuedQuestion("a", 1, "u"), 10, "asker");
      await queue.vote("u", "a", "v1");
      await queue.vote("u", "a", "v2");
      const before = (await queue.list("u", 10)).version;
      expect(await queue.unvote("u", "a", "v3")).toBe(2);
      expect((await queue.list("u", 10)).version).toBe(before);
      expect(await queue.unvote("u", "a", "v1")).toBe(1);
      const after = await queue.list("u", 10);
      expect(after.version).toBeGreaterThan(before);
      expect(after.questions[0]).toMatchObject({ votes: 1, rev: after.version });
      expect(await queue.unvote("u", "a", "v1")).toBe(1);
      expect(await queue.vote("u", "a", "v1")).toBe(2);
      expect(await queue.unvote("u", "missing", "v1")).toBeUndefined();
    });

    it("only its asker edits or withdraws a queued question; the asker is never listed", async () => {
      const queue = make();
      await queue.submit(
        { ...queuedQuestion("a", 1_764_780_000_123, "e"), text: "ünïcode “quotes” \\ / ok" },
        10,
        "me",
      );
      await queue.submit(queuedQuestion("b", 2, "e"), 10, "me");
      await queue.vote("e", "a", "v1");
      const before = (await queue.list("e", 10)).version;
      expect(await queue.edit("e", "a", "someone", "hijacked")).toBe("not_yours");
      expect(await queue.edit("e", "a", "me", "Better wording?")).toBe("done");
      const edited = await queue.list("e", 10);
      expect(edited.version).toBeGreaterThan(before);
      expect(edited.questions[0]).toEqual({
        ...queuedQuestion("a", 1_764_780_000_123, "e"),
        text: "Better wording?",
        votes: 1,
        rev: edited.version,
      });
      expect(await queue.withdraw("e", "a", "someone")).toBe("not_yours");
      expect(await queue.withdraw("e", "a", "me")).toBe("done");
      expect(await queue.withdraw("e", "a", "me")).toBe("gone");
      expect(await queue.edit("e", "a", "me", "again")).toBe("gone");
      expect((await queue.list("e", 10)).questions.map((q) => q.id)).toEqual(["b"]);
      expect((await queue.take("e", "b"))?.question).not.toHaveProperty("asker");
    });
  });
}
