import { describe, expect, it } from "vitest";
import { TimingRecorder } from "./timing-recorder.ts";

function clocked(max?: number) {
  let now = 1000;
  const recorder = new TimingRecorder(() => now, max);
  return { recorder, advance: (ms: number) => void (now += ms) };
}

describe("TimingRecorder", () => {
  it("records [offsetMs, chars] from the start; nothing before any text", () => {
    const { recorder, advance } = clocked();
    expect(recorder.timing()).toBeUndefined();
    advance(500); // waiting for a slot before start() does not count
    recorder.start();
    advance(120);
    recorder.arrived(5);
    advance(40);
    recorder.arrived(12);
    expect(recorder.timing()).toEqual([
      [120, 5],
      [160, 12],
    ]);
  });

  it("stays within its bound by keeping every other point, always the last", () => {
    const { recorder, advance } = clocked(4);
    recorder.start();
    for (let chars = 1; chars <= 9; chars++) {
      advance(10);
      recorder.arrived(chars);
    }
    const timing = recorder.timing()!;
    expect(timing.length).toBeLessThanOrEqual(4);
    expect(timing.at(-1)).toEqual([90, 9]);
    expect(timing.map(([, chars]) => chars)).toEqual([...timing.map(([, chars]) => chars)].sort((a, b) => a - b));
  });
});
