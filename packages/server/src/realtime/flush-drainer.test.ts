import { describe, expect, it } from "vitest";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { FlushDrainer } from "./flush-drainer.ts";

describe("FlushDrainer", () => {
  it("flushes every connection of a broadcast over later turns, past one that throws, then reports its cost", async () => {
    const flushed: number[] = [];
    const costs: Array<[string, number]> = [];
    const started: string[] = [];
    const drainer = new FlushDrainer(
      { observe: (roomId, ms) => costs.push([roomId, ms]), fanOutStarted: (roomId) => started.push(roomId) },
      0,
    );
    const connections = Array.from({ length: 200 }, (_, i) => ({
      flush: () => {
        if (i === 70) throw new Error("broken connection");
        flushed.push(i);
      },
    }));
    drainer.add({ roomId: "big", connections, passMs: 5, streamed: true });
    expect(started).toEqual(["big"]);
    expect(flushed, "nothing in the turn that queued it").toEqual([]);
    await waitFor(() => drainer.pending === 0, { what: "the broadcast to drain" });
    expect(flushed).toEqual(Array.from({ length: 200 }, (_, i) => i).filter((i) => i !== 70));
    expect(costs).toHaveLength(1);
    expect(costs[0]![0]).toBe("big");
    expect(costs[0]![1]).toBeGreaterThanOrEqual(5);
  });
});
