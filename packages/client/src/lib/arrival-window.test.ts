import { describe, expect, it } from "vitest";
import { ArrivalWindow, DEFAULT_WINDOW_MS, MAX_WINDOW_MS, MIN_WINDOW_MS } from "./arrival-window.ts";

function windowAfter(arrivals: number[]): number {
  const window = new ArrivalWindow();
  for (const at of arrivals) window.record(at);
  return window.ms;
}

describe("ArrivalWindow", () => {
  it("is the server's default window until two batches have arrived", () => {
    expect(windowAfter([])).toBe(DEFAULT_WINDOW_MS);
    expect(windowAfter([1_000])).toBe(DEFAULT_WINDOW_MS);
  });

  it("is the median of the recent gaps: one pause or one burst does not move it", () => {
    expect(windowAfter([0, 100, 200, 300, 1_300, 1_400, 1_401, 1_500])).toBe(100);
  });

  it("follows the gaps as they change, forgetting old ones", () => {
    const early = [0, 30, 60, 90, 120, 150, 180, 210, 240];
    const late = [390, 540, 690, 840, 990, 1_140, 1_290, 1_440, 1_590];
    expect(windowAfter([...early, ...late])).toBe(150);
  });

  it("stays within one animation frame and the server's longest window", () => {
    expect(windowAfter([0, 1, 2, 3])).toBe(MIN_WINDOW_MS);
    expect(windowAfter([0, 2_000, 4_000])).toBe(MAX_WINDOW_MS);
  });
});
