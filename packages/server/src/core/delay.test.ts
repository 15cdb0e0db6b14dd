import { describe, expect, it } from "vitest";
import { delay } from "./delay.ts";

describe("delay", () => {
  it("resolves true when the time is up, false when aborted (before or during)", async () => {
    expect(await delay(5)).toBe(true);
    const aborted = AbortSignal.abort();
    expect(await delay(60_000, aborted)).toBe(false);
    const controller = new AbortController();
    const waiting = delay(60_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
  });
});
