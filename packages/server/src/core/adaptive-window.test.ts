import { describe, expect, it } from "vitest";
import { AdaptiveWindow, HOLD_BAND, SHRINK_HALF_LIFE_MS, type WindowRule } from "./adaptive-window.ts";

const RULE: WindowRule = { minMs: 30, maxMs: 150, busyShare: 0.25 };

function setup(rule = RULE) {
  let now = 0;
  const window = new AdaptiveWindow(rule, () => now);
  /** `count` broadcasts costing `costMs` each, `everyMs` apart. */
  const broadcasts = (costMs: number, count = 3, everyMs = 0) => {
    for (let i = 0; i < count; i++) {
      now += everyMs;
      window.observe(costMs);
    }
  };
  return { window, broadcasts, advance: (ms: number) => (now += ms) };
}

describe("AdaptiveWindow", () => {
  it("starts at the minimum and stays there while broadcasts are cheap", () => {
    const { window, broadcasts } = setup();
    expect(window.currentMs()).toBe(30);
    broadcasts(7, 20, 30); // 7 ms ÷ 0.25 = 28 ms: below the minimum
    expect(window.currentMs()).toBe(30);
    expect(window.atMinimum()).toBe(true);
  });

  it("grows at once to cost ÷ busy share when two of the last three broadcasts are costly", () => {
    const { window, broadcasts } = setup();
    broadcasts(20, 1);
    expect(window.currentMs()).toBe(30);
    broadcasts(20, 1);
    expect(window.currentMs()).toBe(80); // broadcasting keeps at most a quarter of the loop busy
    broadcasts(25, 2);
    expect(window.currentMs()).toBe(100);
    expect(window.atMinimum()).toBe(false);
  });

  it("one slow broadcast among cheap ones (a GC pause, the process descheduled) changes nothing", () => {
    const { window, broadcasts } = setup();
    for (let i = 0; i < 5; i++) {
      broadcasts(0.1, 2);
      broadcasts(40, 1);
    }
    expect(window.currentMs()).toBe(30);
  });

  it("never grows past the maximum, however costly a broadcast", () => {
    const { window, broadcasts } = setup();
    broadcasts(500);
    expect(window.currentMs()).toBe(150);
  });

  it("shrinks back towards the minimum when broadcasts get cheap: half the way every half-life", () => {
    const { window, broadcasts, advance } = setup();
    broadcasts(30); // 120 ms
    advance(100);
    broadcasts(1, 2); // two cheap ones: the cost asks for the minimum, shrinking starts from here
    expect(window.currentMs()).toBe(120);
    advance(SHRINK_HALF_LIFE_MS);
    expect(window.currentMs()).toBeCloseTo(75, 6); // 30 + 90 / 2
    advance(SHRINK_HALF_LIFE_MS);
    expect(window.currentMs()).toBeCloseTo(52.5, 6);
    advance(10 * SHRINK_HALF_LIFE_MS);
    expect(window.atMinimum()).toBe(true);
  });

  it("holds while the cost asks for a window within the hold band below it (no flapping)", () => {
    const { window, broadcasts, advance } = setup();
    broadcasts(25); // 100 ms
    const withinBand = (100 * (1 - HOLD_BAND) + 1) * RULE.busyShare; // asks for 81 ms
    broadcasts(withinBand, 50, 100);
    expect(window.currentMs()).toBe(100);
    broadcasts((100 * (1 - HOLD_BAND) - 1) * RULE.busyShare, 2, 100); // asks for 79 ms: past the band
    advance(SHRINK_HALF_LIFE_MS);
    expect(window.currentMs()).toBeCloseTo(89.5, 6); // 79 + 21 / 2
  });

  it("costly broadcasts while shrinking grow it again at once", () => {
    const { window, broadcasts, advance } = setup();
    broadcasts(37.5); // 150 ms
    broadcasts(0);
    advance(3 * SHRINK_HALF_LIFE_MS);
    expect(window.currentMs()).toBeCloseTo(45, 6);
    broadcasts(20, 2);
    expect(window.currentMs()).toBe(80);
  });

  it("with the maximum at the minimum, the window is fixed", () => {
    const { window, broadcasts } = setup({ minMs: 30, maxMs: 30, busyShare: 0.25 });
    broadcasts(100);
    expect(window.currentMs()).toBe(30);
  });
});
