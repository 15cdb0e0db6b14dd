import { describe, expect, it } from "vitest";
import {
  MAX_REPLAY_GAP_MS,
  STEADY_CHARS_PER_SECOND,
  charsAt,
  prefixOf,
  replayDuration,
  replayPoints,
} from "./replay-schedule.ts";

describe("replay schedule", () => {
  it("follows the answer's timing, growing evenly between its points", () => {
    const points = replayPoints("Hello world", [
      [100, 5],
      [300, 11],
    ]);
    expect(points).toEqual([
      [0, 0],
      [100, 5],
      [300, 11],
    ]);
    expect(charsAt(points, 0)).toBe(0);
    expect(charsAt(points, 50)).toBe(2);
    expect(charsAt(points, 100)).toBe(5);
    expect(charsAt(points, 200)).toBe(8);
    expect(charsAt(points, 10_000)).toBe(11);
    expect(replayDuration(points)).toBe(300);
  });

  it("shortens long pauses (a model loading) to MAX_REPLAY_GAP_MS", () => {
    const points = replayPoints("abcdef", [
      [90_000, 3],
      [90_050, 6],
    ]);
    expect(points).toEqual([
      [0, 0],
      [MAX_REPLAY_GAP_MS, 3],
      [MAX_REPLAY_GAP_MS + 50, 6],
    ]);
  });

  it("replays an answer without timing (or with nonsense) at a steady pace, always ending with the whole text", () => {
    const text = "x".repeat(STEADY_CHARS_PER_SECOND);
    expect(replayPoints(text, undefined)).toEqual([
      [0, 0],
      [1000, text.length],
    ]);
    const odd = replayPoints("abcd", [
      [50, 2],
      [40, 3],
      [Number.NaN, 4],
      [60, 1],
      [70, 99],
    ]);
    expect(odd).toEqual([
      [0, 0],
      [50, 2],
      [70, 4],
    ]);
  });

  it("never cuts inside a surrogate pair", () => {
    expect(prefixOf("a🙂b", 2)).toBe("a");
    expect(prefixOf("a🙂b", 3)).toBe("a🙂");
  });
});
