import { describe, expect, it } from "vitest";
import { fairLevel, windowFor } from "./broadcast-budget.ts";

const BUDGET = { share: 0.25, minMs: 30, maxMs: 150 };
const busyAt = (costs: number[], level: number) =>
  costs.reduce((sum, cost) => sum + cost / windowFor(cost, level, BUDGET), 0);

describe("fairLevel", () => {
  it("is unbounded while every room fits at the minimum window", () => {
    expect(fairLevel([0.3, 0.3, 1], BUDGET)).toBe(Infinity);
    expect(fairLevel([6, 1.4], BUDGET)).toBe(Infinity); // 6 / 30 + 1.4 / 30: just under the budget
    expect(fairLevel([], BUDGET)).toBe(Infinity);
  });

  it("when the rooms do not fit even at the maximum window, grants each an even split (all at the maximum)", () => {
    expect(fairLevel([60, 60], BUDGET)).toBe(0.125);
    expect(windowFor(60, 0.125, BUDGET)).toBe(150);
  });

  it("a room that overspends at the maximum window does not take a small room's even split", () => {
    const level = fairLevel([60, 0.1], BUDGET); // 60 ÷ 150 = 0.4 of the loop alone
    expect(level).toBe(0.125);
    expect(windowFor(0.1, level, BUDGET)).toBe(30);
  });

  it("in between, fills the budget exactly", () => {
    const costs = [0.1, 2, 6, 12];
    expect(busyAt(costs, fairLevel(costs, BUDGET))).toBeCloseTo(0.25, 9);
  });

  it("with no minimum window (COALESCE_MS=0), still fills the budget", () => {
    const budget = { ...BUDGET, minMs: 0 };
    const level = fairLevel([0.3, 0.3], budget);
    expect(windowFor(0.3, level, budget)).toBeCloseTo(2.4, 6);
  });

  it("a room that cost nothing keeps the minimum window at any level", () => {
    expect(windowFor(0, 0, BUDGET)).toBe(30);
    expect(fairLevel([0, 0, 60, 60], BUDGET)).toBe(0.0625);
  });
});
