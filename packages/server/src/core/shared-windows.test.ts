import { describe, expect, it } from "vitest";
import type { WindowNotice } from "@tokencast/protocol";
import { SHRINK_HALF_LIFE_MS } from "./adaptive-window.ts";
import { RoomWindows } from "./room-windows.ts";
import { HEARD_FOR_MS, SHARE_EVERY_MS, SharedWindows } from "./shared-windows.ts";

const RULE = { minMs: 30, maxMs: 150, busyShare: 0.25 };

/** Nodes on one fake clock whose notices reach every other node at once, as the cluster's do. */
function cluster(names: string[]) {
  let now = 0;
  const told: WindowNotice[] = [];
  const nodes = new Map<string, SharedWindows>();
  for (const node of names) {
    const tell = (roomId: string, ms: number) => {
      told.push({ roomId, node, ms });
      for (const [other, windows] of nodes) if (other !== node) windows.hear({ roomId, node, ms });
    };
    const local = new RoomWindows(RULE, () => now);
    nodes.set(node, new SharedWindows({ local, minMs: RULE.minMs, tell, now: () => now }));
  }
  const node = (name: string) => nodes.get(name)!;
  /** `count` broadcasts of the room on `name`, each costing `costMs`, `everyMs` apart (shares change every 20 ms). */
  const broadcasts = (name: string, roomId: string, costMs: number, count = 3, everyMs = 30) => {
    for (let i = 0; i < count; i++) {
      now += everyMs;
      node(name).observe(roomId, costMs);
    }
  };
  return { node, told, broadcasts, advance: (ms: number) => (now += ms) };
}

describe("SharedWindows", () => {
  it("the node running an answer batches for the costliest audience, on a node that only relays it", () => {
    const { node, broadcasts } = cluster(["asker", "relay"]);
    broadcasts("asker", "talk", 0.1);
    broadcasts("relay", "talk", 30);
    expect(node("relay").windowMs("talk")).toBe(120);
    expect(node("asker").windowMs("talk")).toBe(120);
    expect(node("asker").windowMs("other")).toBe(30);
    expect(node("asker").widestMs()).toBe(120);
    expect(node("asker").widenedRooms()).toBe(1);
  });

  it("the widest of the windows heard counts, each node's own", () => {
    const { node, broadcasts } = cluster(["asker", "wide", "narrow"]);
    broadcasts("wide", "talk", 35);
    broadcasts("narrow", "talk", 15);
    expect(node("asker").windowMs("talk")).toBe(140);
    expect(node("asker").widenedRooms()).toBe(1);
  });

  it("a window heard counts for HEARD_FOR_MS; a relay that keeps broadcasting tells it again in time", () => {
    const { node, broadcasts, advance } = cluster(["asker", "relay", "gone"]);
    broadcasts("gone", "talk", 37.5);
    broadcasts("relay", "talk", 20, (3 * HEARD_FOR_MS) / 100, 100);
    expect(node("asker").windowMs("talk")).toBe(80);
    advance(HEARD_FOR_MS);
    expect(node("asker").windowMs("talk")).toBe(30);
    expect(node("asker").widenedRooms()).toBe(0);
  });

  it("tells a window when it moves past the band, at most every SHARE_EVERY_MS while it holds, and once back at the minimum", () => {
    const { told, broadcasts, advance } = cluster(["relay", "asker"]);
    broadcasts("relay", "talk", 0.1, 100, 10);
    expect(told).toEqual([]);
    broadcasts("relay", "talk", 30, 1000, 10); // 10 s of broadcasts every 10 ms at one cost
    const wide = told.filter((notice) => notice.ms === 120).length;
    expect(wide).toBeGreaterThanOrEqual(10_000 / SHARE_EVERY_MS - 1);
    expect(wide).toBeLessThanOrEqual(10_000 / SHARE_EVERY_MS + 1);
    told.length = 0;
    broadcasts("relay", "talk", 0, 3);
    advance(12 * SHRINK_HALF_LIFE_MS);
    broadcasts("relay", "talk", 0, 50, 100);
    expect(told.at(-1)?.ms).toBeLessThan(30.5);
    expect(told.length).toBeLessThan(15);
  });

  it("on a single node (nobody to tell) it is the node's own windows", () => {
    let now = 0;
    const local = new RoomWindows(RULE, () => now);
    const windows = new SharedWindows({ local, minMs: RULE.minMs, now: () => now });
    for (let i = 0; i < 3; i++) {
      now += 30;
      windows.observe("talk", 30);
    }
    expect(windows.windowMs("talk")).toBe(120);
    expect(windows.widenedRooms()).toBe(1);
  });
});
