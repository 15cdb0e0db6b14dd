import { describe, expect, it } from "vitest";
import { SHRINK_HALF_LIFE_MS } from "./adaptive-window.ts";
import { FORGET_AFTER_MS, RoomWindows } from "./room-windows.ts";

function setup() {
  let now = 0;
  const windows = new RoomWindows({ minMs: 30, maxMs: 150, busyShare: 0.25 }, () => now);
  const broadcasts = (roomId: string, costMs: number, count = 3) => {
    for (let i = 0; i < count; i++) windows.observe(roomId, costMs);
  };
  return { windows, broadcasts, advance: (ms: number) => (now += ms) };
}

describe("RoomWindows", () => {
  it("widens only the room whose broadcasts are costly", () => {
    const { windows, broadcasts } = setup();
    broadcasts("big", 30);
    broadcasts("small", 0.2);
    expect(windows.windowMs("big")).toBe(120);
    expect(windows.windowMs("small")).toBe(30);
    expect(windows.windowMs("never-seen")).toBe(30);
    expect(windows.widestMs()).toBe(120);
    expect(windows.widenedRooms()).toBe(1);
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
