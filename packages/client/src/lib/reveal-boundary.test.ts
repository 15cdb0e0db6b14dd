import { describe, expect, it } from "vitest";
import { revealEnd } from "./reveal-boundary.ts";

const TEXT = "Hello wonderful 👩‍👩‍👧 world, 你好世界 https://example.com/a-rather-long-path-that-goes-on-and-on end";

describe("revealEnd", () => {
  it("moves a cut inside a word to the word's end", () => {
    expect(TEXT.slice(0, revealEnd(TEXT, 0, 8))).toBe("Hello wonderful");
  });

  it("never cuts an emoji sequence", () => {
    const inside = TEXT.indexOf("👩") + 3;
    expect(TEXT.slice(0, revealEnd(TEXT, 0, inside))).toBe("Hello wonderful 👩‍👩‍👧");
  });

  it("cuts between words of a script without spaces", () => {
    const end = revealEnd(TEXT, 0, TEXT.indexOf("你") + 1);
    expect(end).toBeLessThan(TEXT.indexOf(" https"));
    expect(end).toBeGreaterThan(TEXT.indexOf("你"));
  });

  it("stays at the goal and the text's bounds when nothing needs moving", () => {
    expect(revealEnd(TEXT, 10, 5)).toBe(10);
    expect(revealEnd(TEXT, 0, TEXT.length + 5)).toBe(TEXT.length);
    expect(revealEnd(TEXT, 0, 5)).toBe(5);
  });

  it("without Intl.Segmenter, cuts at the next space, never inside a surrogate pair", () => {
    expect(TEXT.slice(0, revealEnd(TEXT, 0, 8, null))).toBe("Hello wonderful");
    const long = "x".repeat(40) + "😀".repeat(20);
    const end = revealEnd(long, 0, 41, null);
    expect(end).toBe(42);
    expect(revealEnd(long, 0, 42, null)).toBe(42);
  });
});
