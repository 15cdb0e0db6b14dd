import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { queuedLabel } from "./format.ts";

const answer = (queuePosition?: number): Message => ({
  id: "a",
  roomId: "r",
  role: "assistant",
  author: "m",
  text: "",
  seq: 0,
  status: "streaming",
  createdAt: 0,
  queued: true,
  ...(queuePosition ? { queuePosition } : {}),
});

describe("queuedLabel", () => {
  it("says the place in line when the server gave one", () => {
    expect(queuedLabel(answer(1))).toBe("Waiting for the model: next in line…");
    expect(queuedLabel(answer(3))).toBe("Waiting for the model: number 3 in line…");
    expect(queuedLabel(answer())).toBe("Waiting for the model…");
  });
});
