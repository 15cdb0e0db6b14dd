import { describe, expect, it } from "vitest";
import { TypingGate } from "./typing-gate.ts";

describe("TypingGate", () => {
  it("lets 'typing' through once per interval and 'stopped' only after a 'typing'", () => {
    let now = 0;
    const gate = new TypingGate(1000, () => now);
    expect(gate.pass("a", false)).toBe(false);
    expect(gate.pass("a", true)).toBe(true);
    now = 500;
    expect(gate.pass("a", true)).toBe(false);
    expect(gate.pass("b", true)).toBe(true);
    now = 1000;
    expect(gate.pass("a", true)).toBe(true);
    expect(gate.pass("a", false)).toBe(true);
    expect(gate.pass("a", false)).toBe(false);
    expect(gate.pass("a", true)).toBe(true);
  });
});
