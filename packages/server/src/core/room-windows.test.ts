import { describe, expect, it } from "vitest";
import { SHRINK_HALF_LIFE_MS } from "./adaptive-window.ts";
import { FORGET_AFTER_MS, RoomWindows, STREAMING_MS } from "./room-windows.ts";

const RULE = { minMs: 30, maxMs: 150, busyShare: 0.25 };

/** A node whose rooms broadcast in rounds, each room once per round, rounds `everyMs` apart. */
function setup() {
  let now = 0;
  const windows = new RoomWindows(RULE, () => now);
  const broadcasts = (roomId: string, costMs: number, count = 3) => {
    for (let i = 0; i < count; i++) windows.observe(roomId, costMs);
  };
  /** `count` rounds in which every room in `costs` (room → ms per broadcast) broadcasts once. */
  const rounds = (costs: Map<string, number>, count = 3, everyMs = 30) => {
    for (let i = 0; i < count; i++) {
      now += everyMs;
      for (const [roomId, costMs] of costs) windows.observe(roomId, costMs);
    }
  };
  /** The share of the loop the rooms' broadcasts keep busy at their windows now. */
  const busy = (costs: Map<string, number>) =>
    [...costs].reduce((sum, [roomId, costMs]) => sum + costMs / windows.windowMs(roomId), 0);
  return { windows, broadcasts, rounds, busy, advance: (ms: number) => (now += ms) };
}

const roomsCosting = (count: number, costMs: number, prefix = "room") =>
  new Map(Array.from({ length: count }, (_, i) => [`${prefix}-${i}`, costMs]));

describe("RoomWindows", () => {
  it("widens only the room whose broadcasts are costly", () => {
    const { windows, rounds } = setup();
    rounds(
      new Map([
        ["big", 30],
        ["small", 0.2],
      ]),
    );
    // The small room takes 0.2 / 30 of the loop at its minimum window; the big one the rest of the quarter.
    expect(windows.windowMs("big")).toBeCloseTo(30 / (0.25 - 0.2 / 30), 6);
    expect(windows.windowMs("small")).toBe(30);
    expect(windows.windowMs("never-seen")).toBe(30);
    expect(windows.widestMs()).toBe(windows.windowMs("big"));
    expect(windows.widenedRooms()).toBe(1);
  });

  it("alone on the node, a room gets the whole budget: cost ÷ busy share", () => {
    const { windows, rounds } = setup();
    rounds(new Map([["big", 30]]));
    expect(windows.windowMs("big")).toBeCloseTo(120, 6);
  });

  it("many rooms each cheap but together over the budget all widen, to keep the node within it", () => {
    const { windows, rounds, busy } = setup();
    const rooms = roomsCosting(100, 0.3); // alone, each would keep 30 ms (0.3 ÷ 0.25 = 1.2 ms)
    rounds(rooms);
    for (const roomId of rooms.keys()) expect(windows.windowMs(roomId)).toBeCloseTo(120, 6);
    expect(busy(rooms)).toBeCloseTo(0.25, 6);
  });

  it("rooms together under the budget keep the minimum window", () => {
    const { windows, rounds, busy } = setup();
    const rooms = roomsCosting(20, 0.3); // 20 × 0.3 ÷ 30 = 0.2 of the loop
    rounds(rooms);
    for (const roomId of rooms.keys()) expect(windows.windowMs(roomId)).toBe(30);
    expect(windows.widenedRooms()).toBe(0);
    expect(busy(rooms)).toBeCloseTo(0.2, 6);
  });

  it("bigger rooms widen more: over the budget, every widened room takes the same share", () => {
    const { windows, rounds } = setup();
    rounds(
      new Map([
        ["medium", 6],
        ["large", 12],
      ]),
    ); // 0.2 + 0.4 of the loop at 30 ms
    expect(windows.windowMs("medium")).toBeCloseTo(48, 6); // each takes 0.125: 6 ÷ 0.125
    expect(windows.windowMs("large")).toBeCloseTo(96, 6);
  });

  it("a small room beside a huge one keeps its short window", () => {
    const { windows, rounds } = setup();
    const rooms = new Map([["huge", 30], ...roomsCosting(10, 0.1, "small")]);
    rounds(rooms);
    for (let i = 0; i < 10; i++) expect(windows.windowMs(`small-${i}`)).toBe(30);
    expect(windows.windowMs("huge")).toBeCloseTo(30 / (0.25 - (10 * 0.1) / 30), 6);
  });

  it("when even the widest windows do not fit the budget, every streaming room is at the maximum", () => {
    const { windows, rounds } = setup();
    const rooms = roomsCosting(20, 30); // 20 × 30 ÷ 150 = 4 loops
    rounds(rooms, 3, 150);
    for (const roomId of rooms.keys()) expect(windows.windowMs(roomId)).toBe(150);
  });

  it("a small room beside one too big for the budget even at the maximum window keeps its short window", () => {
    const { windows, rounds } = setup();
    rounds(
      new Map([
        ["too-big", 60],
        ["small", 0.1],
      ]),
      3,
      150,
    ); // 60 ÷ 150: 0.4 of the loop
    expect(windows.windowMs("too-big")).toBe(150);
    expect(windows.windowMs("small")).toBe(30);
  });

  it("rooms that stop streaming give their share back: the others narrow again", () => {
    const { windows, rounds, advance } = setup();
    rounds(new Map([["stays", 0.3], ...roomsCosting(99, 0.3, "ends")]));
    expect(windows.windowMs("stays")).toBeCloseTo(120, 6);
    advance(STREAMING_MS);
    rounds(new Map([["stays", 0.3]]), 2);
    advance(12 * SHRINK_HALF_LIFE_MS);
    expect(windows.windowMs("stays")).toBeLessThan(30.5);
  });

  it("a room back at the minimum no longer counts as widened, and is forgotten once quiet", () => {
    const { windows, broadcasts, advance } = setup();
    broadcasts("big", 37.5);
    broadcasts("big", 0);
    advance(12 * SHRINK_HALF_LIFE_MS);
    expect(windows.widenedRooms()).toBe(0);
    expect(windows.widestMs()).toBeLessThan(30.5);
    expect(windows.windowMs("big")).toBeLessThan(30.5);
    expect(windows.trackedRooms()).toBe(1);
    advance(FORGET_AFTER_MS);
    broadcasts("other", 0.1, 1); // a sweep is due: "big" goes
    expect(windows.trackedRooms()).toBe(1);
    expect(windows.windowMs("big")).toBe(30);
  });

  it("a fixed window never adapts", () => {
    const windows = RoomWindows.fixed(25);
    for (let i = 0; i < 3; i++) windows.observe("big", 1000);
    expect(windows.windowMs("big")).toBe(25);
    expect(windows.widenedRooms()).toBe(0);
  });
});
