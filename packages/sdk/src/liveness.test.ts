import { describe, expect, it } from "vitest";
import { IDLE_STALE_MS, QUIET_PROBE_MS, livenessStep } from "./liveness.ts";

describe("livenessStep", () => {
  it("waits while frames keep coming", () => {
    expect(livenessStep({ quietMs: QUIET_PROBE_MS - 1, streaming: true, probing: false })).toBe("wait");
  });

  it("probes a streaming answer gone quiet, once at a time", () => {
    expect(livenessStep({ quietMs: QUIET_PROBE_MS, streaming: true, probing: false })).toBe("probe");
    expect(livenessStep({ quietMs: QUIET_PROBE_MS * 3, streaming: true, probing: true })).toBe("wait");
  });

  it("never probes when nothing streams: a quiet room is normal", () => {
    expect(livenessStep({ quietMs: IDLE_STALE_MS - 1, streaming: false, probing: false })).toBe("wait");
  });

  it("calls the connection stale once even the server's ping is overdue", () => {
    expect(livenessStep({ quietMs: IDLE_STALE_MS, streaming: false, probing: false })).toBe("stale");
    expect(livenessStep({ quietMs: IDLE_STALE_MS, streaming: true, probing: true })).toBe("stale");
  });

  it("spreads and backs off probes: each connection's own quiet, doubled by every answered probe", () => {
    const base = { streaming: true, probing: false, probeAfterMs: QUIET_PROBE_MS + 1_500 };
    expect(livenessStep({ ...base, quietMs: QUIET_PROBE_MS + 1_499 })).toBe("wait");
    expect(livenessStep({ ...base, quietMs: QUIET_PROBE_MS + 1_500 })).toBe("probe");
    expect(livenessStep({ ...base, quietMs: (QUIET_PROBE_MS + 1_500) * 2 - 1, answered: 1 })).toBe("wait");
    expect(livenessStep({ ...base, quietMs: (QUIET_PROBE_MS + 1_500) * 2, answered: 1 })).toBe("probe");
    // However long the back-off, a connection silent past the ping is stale.
    expect(livenessStep({ ...base, quietMs: IDLE_STALE_MS, answered: 5 })).toBe("stale");
  });
});
