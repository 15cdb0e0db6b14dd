import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { buildTurns, toCompletionPrompt } from "./prompt.ts";

let n = 0;
const msg = (role: Message["role"], text: string, status: Message["status"] = "done"): Message => ({
  id: `m${++n}`,
  roomId: "r",
  role,
  author: role === "user" ? "Ada" : "model",
  text,
  seq: 0,
  status,
  createdAt: n,
});

describe("buildTurns", () => {
  it("puts the system prompt first and keeps the history in order", () => {
    const turns = buildTurns([msg("user", "hi"), msg("assistant", "hello"), msg("user", "how?")], {
      systemPrompt: "Be brief.",
      budgetChars: 1000,
    });
    expect(turns).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "how?" },
    ]);
  });

  it("drops the oldest turns beyond the budget, always keeping the newest question", () => {
    const history = [msg("user", "a".repeat(50)), msg("assistant", "b".repeat(50)), msg("user", "c".repeat(30))];
    expect(buildTurns(history, { budgetChars: 85 }).map((t) => t.content[0])).toEqual(["b", "c"]);
    const alone = buildTurns([msg("user", "x".repeat(10) + "END")], { budgetChars: 5 });
    expect(alone).toEqual([{ role: "user", content: "x" + "x" + "END" }]);
  });

  it("leaves out failed and empty answers but keeps stopped partial ones", () => {
    const history = [
      msg("user", "q1"),
      msg("assistant", "", "error"),
      msg("user", "q2"),
      msg("assistant", "partial", "stopped"),
      msg("user", "q3"),
    ];
    expect(buildTurns(history, { budgetChars: 1000 }).map((t) => t.content)).toEqual(["q1", "q2", "partial", "q3"]);
  });
});

describe("toCompletionPrompt", () => {
  it("renders a transcript ending with the assistant's cue", () => {
    expect(
      toCompletionPrompt([
        { role: "system", content: "S" },
        { role: "user", content: "Q" },
      ]),
    ).toBe("System: S\n\nUser: Q\n\nAssistant:");
  });
});
