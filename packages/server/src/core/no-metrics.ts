import type { Metrics } from "./ports.ts";

const done = (): void => undefined;

/** Metrics that go nowhere: the default when no recorder is wired (unit tests, tools). */
export const noMetrics: Metrics = {
  answerQueued: () => done,
  answerStreaming: () => done,
  firstToken: done,
  upstreamTokens: done,
  answerEnded: done,
  upstreamError: done,
  deltaBroadcast: done,
  resync: done,
};
