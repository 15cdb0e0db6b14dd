import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { AnswerReplays } from "./answer-replays.ts";
import { manualFrames } from "./testing/manual-frames.ts";

const ANSWER: Message = {
  id: "a1",
  roomId: "r",
  role: "assistant",
  author: "model",
  text: "Hello brave new world",
  seq: 3,
  status: "done",
  createdAt: 0,
  timing: [
    [100, 5],
    [200, 11],
    [400, 21],
  ],
};

function stage(reduced = false) {
  let clock = 0;
  const frames = manualFrames();
  const seen: Array<string | undefined> = [];
  const replays: AnswerReplays = new AnswerReplays(() => seen.push(replays.shown.get("a1")), {
    frames,
    now: () => clock,
    reducedMotion: () => reduced,
  });
  return {
    replays,
    seen,
    frames,
    at(ms: number): string | undefined {
      clock = ms;
      frames.run();
      return replays.shown.get("a1");
    },
  };
}

describe("AnswerReplays", () => {
  it("shows the answer growing at its original pace, then ends with the whole text", () => {
    const { replays, at, frames } = stage();
    replays.start(ANSWER);
    expect(replays.shown.get("a1")).toBe("");
    expect(at(100)).toBe("Hello");
    expect(at(200)).toBe("Hello brave");
    expect(at(300)).toBe("Hello brave new ");
    expect(at(400)).toBeUndefined(); // done: the message's own (whole) text shows again
    expect(frames.pending).toBe(0);
  });

  it("Show all ends a replay at once; starting again starts over", () => {
    const { replays, at, seen } = stage();
    replays.start(ANSWER);
    expect(at(150)).toBe("Hello br");
    replays.skip("a1");
    expect(replays.shown.has("a1")).toBe(false);
    expect(seen.at(-1)).toBeUndefined();
    replays.start(ANSWER);
    expect(at(250)).toBe("Hello"); // 100 ms into the new replay
  });

  it("shows the whole text at once under prefers-reduced-motion", () => {
    const { replays, seen, frames } = stage(true);
    replays.start(ANSWER);
    expect(replays.shown.size).toBe(0);
    expect(seen).toEqual([undefined]);
    expect(frames.pending).toBe(0);
  });
});
