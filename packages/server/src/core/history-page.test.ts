import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { historyBefore, messageBytes, newestWithin } from "./history-page.ts";

function message(id: string, text: string, status: Message["status"] = "done"): Message {
  return { id, roomId: "r", role: "assistant", author: "m", text, seq: 0, status, createdAt: 1 };
}

const history = [
  message("a", "x".repeat(100)),
  message("b", "é".repeat(100)),
  message("c", "y".repeat(100)),
  message("d", "z".repeat(100)),
];
const sizeOf = (ids: string[]) => ids.reduce((sum, id) => sum + messageBytes(history.find((m) => m.id === id)!), 0);
const ids = (messages: Message[]) => messages.map((m) => m.id);

describe("newestWithin", () => {
  it("counts a message's bytes as its UTF-8 JSON", () => {
    expect(messageBytes(history[1]!) - messageBytes(history[0]!)).toBe(100); // é is two bytes
  });

  it("takes the newest messages that fit the bytes, oldest first, and says older ones exist", () => {
    const page = newestWithin(history, { maxMessages: 10, maxBytes: sizeOf(["b", "c", "d"]) });
    expect(ids(page.messages)).toEqual(["b", "c", "d"]);
    expect(page.more).toBe(true);
    expect(ids(newestWithin(history, { maxMessages: 10, maxBytes: sizeOf(["b", "c", "d"]) - 1 }).messages)).toEqual([
      "c",
      "d",
    ]);
  });

  it("takes at most maxMessages", () => {
    expect(newestWithin(history, { maxMessages: 1, maxBytes: 1e9 })).toEqual({ messages: [history[3]], more: true });
    expect(newestWithin(history, { maxMessages: 4, maxBytes: 1e9 })).toEqual({ messages: history, more: false });
  });

  it("stops at the first message that does not fit, even if an older one would", () => {
    const mixed = [message("small", "s"), message("big", "b".repeat(1000)), message("last", "l")];
    const page = newestWithin(mixed, {
      maxMessages: 10,
      maxBytes: messageBytes(mixed[2]!) + messageBytes(mixed[0]!) + 10,
    });
    expect(ids(page.messages)).toEqual(["last"]);
  });

  it("always takes the newest message, alone when it is over the budget (paging progresses)", () => {
    expect(newestWithin(history, { maxMessages: 10, maxBytes: 1 })).toEqual({ messages: [history[3]], more: true });
    expect(newestWithin([], { maxMessages: 10, maxBytes: 1 })).toEqual({ messages: [], more: false });
  });

  it("takes an answer in progress whole whatever the budget", () => {
    const live = [
      message("q", "question"),
      message("live", "w".repeat(5000), "streaming"),
      message("pending", "", "pending"),
    ];
    expect(ids(newestWithin(live, { maxMessages: 1, maxBytes: 10 }).messages)).toEqual(["live", "pending"]);
  });
});

describe("historyBefore", () => {
  it("is the history before a message, all of it without one, undefined for an unknown one", () => {
    expect(ids([...historyBefore(history, "c")!])).toEqual(["a", "b"]);
    expect(historyBefore(history, undefined)).toBe(history);
    expect(historyBefore(history, "nope")).toBeUndefined();
  });
});
