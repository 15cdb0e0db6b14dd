import { describe, expect, it } from "vitest";
import { SHRINK_HALF_LIFE_MS } from "./adaptive-window.ts";
import { RoomWindows } from "./room-windows.ts";

function setup() {
  let now = 0;
  const windows = new RoomWindows({ minMs: 30, maxMs: 150, busyShare: 0.25 }, () => now);
  return { windows, advance: (ms: number) => (now += ms) };
}

describe("RoomWindows", () => {
  it("widens only the room whose broadcasts are costly", () => {
    const { windows } = setup();
    windows.observe("big", 30);
    windows.observe("small", 0.2);
    expect(windows.windowMs("big")).toBe(120);
    expect(windows.windowMs("small")).toBe(30);
    expect(windows.windowMs("never-seen")).toBe(30);
    expect(windows.widestMs()).toBe(120);
    expect(windows.widenedRooms()).toBe(1);
  });

  it("forgets a room once its window is back at the minimum", () => {
    const { windows, advance } = setup();
    windows.observe("big", 37.5);
    windows.observe("big", 0);
    advance(12 * SHRINK_HALF_LIFE_MS);
    expect(windows.widenedRooms()).toBe(0);
    expect(windows.widestMs()).toBe(30);
    expect(windows.windowMs("big")).toBe(30);
  });

  it("a fixed window never adapts", () => {
    const windows = RoomWindows.fixed(25);
    windows.observe("big", 1000);
    expect(windows.windowMs("big")).toBe(25);
    expect(windows.widenedRooms()).toBe(0);
  });
});
