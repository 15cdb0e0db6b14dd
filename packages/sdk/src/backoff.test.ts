import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.ts";

describe("backoffDelay", () => {
  it("doubles from the base up to the cap, with jitter around it", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 10].map((n) => backoffDelay(n, 100, 1_000, mid))).toEqual([100, 200, 400, 1_000]);
    expect(backoffDelay(1, 100, 1_000, () => 0)).toBe(75);
  });
});
