import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { currentQuestion } from "./current-question.ts";

const message = (id: string, fields: Partial<Message>): Message => ({
  id,
  roomId: "r",
  role: "user",
  author: "Ada",
  text: id,
  seq: 0,
  status: "done",
  createdAt: 0,
  ...fields,
});

describe("currentQuestion", () => {
  it("is the newest question when a presenter sent it from the queue, with its answer", () => {
    const asked = message("q1", { sentBy: "Pia" });
    const answer = message("a1", { role: "assistant", replyTo: "q1", status: "streaming" });
    expect(currentQuestion([message("q0", {}), asked, answer])).toEqual({ question: asked, answer, live: true });
    const done = { ...answer, status: "done" as const };
    expect(currentQuestion([asked, done])).toEqual({ question: asked, answer: done, live: false });
    expect(currentQuestion([asked])).toEqual({ question: asked, answer: undefined, live: false });
  });

  it("is none when the newest question was typed straight to the model, or there is none", () => {
    expect(currentQuestion([message("q1", { sentBy: "Pia" }), message("q2", {})])).toBeUndefined();
    expect(currentQuestion([])).toBeUndefined();
  });
});
