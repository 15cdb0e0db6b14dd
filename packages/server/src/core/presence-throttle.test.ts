import { afterEach, expect, it, vi } from "vitest";
import { PresenceThrottle } from "./presence-throttle.ts";

afterEach(() => {
  vi.useRealTimers();
});

it("publishes the first change at once and folds a burst into one trailing publish per room", () => {
  vi.useFakeTimers();
  const published: string[] = [];
  const throttle = new PresenceThrottle(
    () => 250,
    (room) => published.push(room),
  );
  throttle.changed("a");
  expect(published).toEqual(["a"]);
  for (let i = 0; i < 100; i++) throttle.changed("a");
  throttle.changed("b");
  expect(published).toEqual(["a", "b"]);
  vi.advanceTimersByTime(250);
  expect(published).toEqual(["a", "b", "a"]);
  vi.advanceTimersByTime(1000);
  expect(published).toEqual(["a", "b", "a"]);
  throttle.changed("a");
  expect(published).toEqual(["a", "b", "a", "a"]);
  throttle.dispose();
});
