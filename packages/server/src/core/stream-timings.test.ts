import { describe, expect, it } from "vitest";
import { noMetrics } from "./no-metrics.ts";
import type { Metrics } from "./ports.ts";
import { StreamTimings } from "./stream-timings.ts";

function recording() {
  const seen = { firstToken: [] as number[], tokens: 0, ended: [] as Array<[string, number | undefined]> };
  const metrics: Metrics = {
    ...noMetrics,
    firstToken: (ms) => seen.firstToken.push(ms),
    upstreamTokens: (n) => (seen.tokens += n),
    answerEnded: (status, rate) => seen.ended.push([status, rate]),
  };
  return { seen, metrics };
}

describe("StreamTimings", () => {
  it("reports the first token once, counts every token, and the rate from first to last token", () => {
    let now = 1000;
    const { seen, metrics } = recording();
    const timings = new StreamTimings(metrics, () => now);
    timings.requested();
    now = 1250;
    timings.token();
    for (let i = 0; i < 10; i++) {
      now += 100;
      timings.token();
    }
    timings.ended("done");
    expect(seen.firstToken).toEqual([250]);
    expect(seen.tokens).toBe(11);
    expect(seen.ended).toEqual([["done", 10]]);
  });

  it("reports no rate for an answer without two tokens apart in time", () => {
    const { seen, metrics } = recording();
    const timings = new StreamTimings(metrics, () => 5);
    timings.ended("error");
    timings.requested();
    timings.token();
    timings.ended("done");
    expect(seen.ended).toEqual([
      ["error", undefined],
      ["done", undefined],
    ]);
    expect(timings.wasRequested()).toBe(true);
  });
});
