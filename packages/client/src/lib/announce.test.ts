import { describe, expect, it } from "vitest";
import { announcement, latestAnswer } from "./announce.ts";
import { answer, question } from "./testing/test-messages.ts";

describe("announcement", () => {
  it("says when an answer starts and when it finishes, not each token", () => {
    const thinking = answer("a", { status: "pending" });
    const started = answer("a", { text: "Hel", seq: 1 });
    const more = answer("a", { text: "Hello", seq: 2 });
    const done = answer("a", { text: "Hello", seq: 2, status: "done" });
    expect(announcement(undefined, thinking)).toBe("The model is thinking.");
    expect(announcement(thinking, started)).toBe("Answer started.");
    expect(announcement(started, more)).toBeUndefined();
    expect(announcement(more, done)).toBe("Answer finished.");
  });

  it("says the place in line each time it changes", () => {
    const third = answer("a", { status: "pending", queued: true, queuePosition: 3 });
    const next = answer("a", { status: "pending", queued: true, queuePosition: 1 });
    expect(announcement(undefined, third)).toBe("Waiting for the model: number 3 in line…");
    expect(announcement(third, { ...third })).toBeUndefined();
    expect(announcement(third, next)).toBe("Waiting for the model: next in line…");
  });

  it("announces a new answer even when the previous one was in the same phase", () => {
    const first = answer("a", { text: "x", seq: 1 });
    expect(announcement(first, answer("b", { text: "y", seq: 1 }))).toBe("Answer started.");
  });

  it("says how an answer ended when it did not finish", () => {
    const live = answer("a", { text: "x", seq: 1 });
    expect(announcement(live, { ...live, status: "stopped", stoppedBy: "Ada" })).toBe("Answer stopped by Ada.");
    expect(announcement(live, { ...live, status: "interrupted" })).toBe("Answer interrupted.");
    const error = { code: "upstream_unreachable" as const, message: "The model's server cannot be reached." };
    expect(announcement(live, { ...live, status: "error", error })).toBe(
      "Answer failed. The model's server cannot be reached.",
    );
  });

  it("follows the latest answer, never a question", () => {
    expect(latestAnswer([answer("a"), question("q"), answer("b"), question("r")])?.id).toBe("b");
    expect(announcement(undefined, latestAnswer([question("q")]))).toBeUndefined();
  });
});
