import { describe, expect, it } from "vitest";
import { AdaptiveWindow, HOLD_BAND, SHRINK_HALF_LIFE_MS, type WindowRule } from "./adaptive-window.ts";

const RULE: WindowRule = { minMs: 30, maxMs: 150, busyShare: 0.25 };

function setup(rule = RULE) {
  let now = 0;
  const window = new AdaptiveWindow(rule, () => now);
  return { window, advance: (ms: number) => (now += ms) };
}

describe("AdaptiveWindow", () => {
  it("starts at the minimum and stays there while broadcasts are cheap", () => {
    const { window, advance } = setup();
    expect(window.currentMs()).toBe(30);
    for (let i = 0; i < 20; i++) {
      window.observe(7); // 7 ms ÷ 0.25 = 28 ms: below the minimum
      advance(30);
    }
    expect(window.currentMs()).toBe(30);
    expect(window.atMinimum()).toBe(true);
  });

  it("grows at once to cost ÷ busy share, so broadcasting keeps at most that share of the loop busy", () => {
    const { window } = setup();
    window.observe(20);
    expect(window.currentMs()).toBe(80);
    window.observe(25);
    expect(window.currentMs()).toBe(100);
    expect(window.atMinimum()).toBe(false);
  });

  it("never grows past the maximum, however costly a broadcast", () => {
    const { window } = setup();
    window.observe(500);
    expect(window.currentMs()).toBe(150);
  });

  it("shrinks back towards the minimum when broadcasts get cheap: half the way every half-life", () => {
    const { window, advance } = setup();
    window.observe(30); // 120 ms
    advance(100);
    window.observe(1); // asks for the minimum: shrinking starts from here
    expect(window.currentMs()).toBe(120);
    advance(SHRINK_HALF_LIFE_MS);
    expect(window.currentMs()).toBeCloseTo(75, 6); // 30 + 90 / 2
    advance(SHRINK_HALF_LIFE_MS);
    expect(window.currentMs()).toBeCloseTo(52.5, 6);
    advance(10 * SHRINK_HALF_LIFE_MS);
    expect(window.atMinimum()).toBe(true);
  });

  it("holds while the cost asks for a window within the hold band below it (no flapping)", () => {
    const { window, advance } = setup();
    window.observe(25); // 100 ms
    const withinBand = (100 * (1 - HOLD_BAND) + 1) * RULE.busyShare; // asks for 81 ms
    for (let i = 0; i < 50; i++) {
      advance(100);
      window.observe(withinBand);
    }
    expect(window.currentMs()).toBe(100);
    advance(100);
    window.observe((100 * (1 - HOLD_BAND) - 1) * RULE.busyShare); // asks for 79 ms: past the band
    advance(SHRINK_HALF_LIFE_MS);
    expect(window.currentMs()).toBeCloseTo(89.5, 6); // 79 + 21 / 2
  });

  it("a costly broadcast while shrinking grows it again at once", () => {
    const { window, advance } = setup();
    window.observe(37.5); // 150 ms
    window.observe(0);
    advance(3 * SHRINK_HALF_LIFE_MS);
    expect(window.currentMs()).toBeCloseTo(45, 6);
    window.observe(20);
    expect(window.currentMs()).toBe(80);
  });

  it("with the maximum at the minimum, the window is fixed", () => {
    const { window } = setup({ minMs: 30, maxMs: 30, busyShare: 0.25 });
    window.observe(100);
    expect(window.currentMs()).toBe(30);
  });
});
