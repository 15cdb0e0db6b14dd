import { describe, expect, it } from "vitest";
import { finalizeMessage, insertionIndex, mergeMessage } from "./message-merge.ts";
import { answer, end } from "./testing/test-messages.ts";

describe("mergeMessage", () => {
  it("takes the incoming copy when it is at least as far", () => {
    const merged = mergeMessage(
      answer("a", { text: "ab", seq: 2 }),
      answer("a", { text: "abc", seq: 3, status: "done" }),
    );
    expect(merged).toMatchObject({ text: "abc", seq: 3, status: "done" });
  });

  it("keeps local text with a higher seq, and a local final status over a streaming one", () => {
    const local = answer("a", { text: "abcd", seq: 4, status: "stopped", stoppedBy: "bob" });
    const merged = mergeMessage(local, answer("a", { text: "ab", seq: 2 }));
    expect(merged).toMatchObject({ text: "abcd", seq: 4, status: "stopped", stoppedBy: "bob" });
  });

  it("keeps the longer reasoning", () => {
    const merged = mergeMessage(answer("a", { reasoning: "long thought" }), answer("a", { reasoning: "long" }));
    expect(merged.reasoning).toBe("long thought");
  });
});

describe("finalizeMessage", () => {
  it("keeps why the server stopped an answer nobody watched", () => {
    const stopped = finalizeMessage(
      answer("a", { text: "part", seq: 1 }),
      end("a", 1, { status: "stopped", stopReason: "nobody_watching" }),
    );
    expect(stopped).toMatchObject({ status: "stopped", stopReason: "nobody_watching", text: "part" });
  });

  it("sets the end fields and leaves the text alone", () => {
    const error = { code: "upstream_timeout" as const, message: "slow" };
    const final = finalizeMessage(answer("a", { text: "x", seq: 1 }), end("a", 1, { status: "error", error }));
    expect(final).toMatchObject({ text: "x", seq: 1, status: "error", error, finishReason: "stop" });
  });
});

describe("insertionIndex", () => {
  it("inserts after the last message created at or before", () => {
    const byId = new Map([
      ["x", answer("x", { createdAt: 10 })],
      ["y", answer("y", { createdAt: 20 })],
    ]);
    const lookup = (id: string) => byId.get(id);
    expect(insertionIndex(["x", "y"], 5, lookup)).toBe(0);
    expect(insertionIndex(["x", "y"], 10, lookup)).toBe(1);
    expect(insertionIndex(["x", "y"], 25, lookup)).toBe(2);
  });
});
