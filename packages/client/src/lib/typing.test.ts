import { describe, expect, it } from "vitest";
import type { TypingEvent } from "@tokencast/protocol";
import { TypingSignal, TypingTracker, describeTyping } from "./typing.ts";

const typing = (id: string, name: string, on = true): TypingEvent => ({
  roomId: "r",
  member: { id, name },
  typing: on,
});

describe("TypingTracker", () => {
  it("lists typists in order, refreshes without a change, and removes on typing:false", () => {
    const tracker = new TypingTracker(5_000);
    expect(tracker.apply(typing("1", "Ada"), 0)).toBe(true);
    expect(tracker.apply(typing("2", "Bob"), 10)).toBe(true);
    const names = tracker.names();
    expect(names).toEqual(["Ada", "Bob"]);
    expect(tracker.apply(typing("1", "Ada"), 1_000)).toBe(false); // a refresh
    expect(tracker.names()).toBe(names); // same array: nothing to re-render
    expect(tracker.apply(typing("2", "Bob", false), 1_100)).toBe(true);
    expect(tracker.names()).toEqual(["Ada"]);
    expect(tracker.apply(typing("9", "Nobody", false), 1_200)).toBe(false);
  });

  it("expires entries that were not refreshed within the ttl", () => {
    const tracker = new TypingTracker(5_000);
    tracker.apply(typing("1", "Ada"), 0);
    tracker.apply(typing("2", "Bob"), 3_000);
    expect(tracker.nextExpiry()).toBe(5_000);
    expect(tracker.expire(4_999)).toBe(false);
    expect(tracker.expire(5_000)).toBe(true);
    expect(tracker.names()).toEqual(["Bob"]);
    tracker.apply(typing("2", "Bob"), 6_000); // refreshed: lives on
    expect(tracker.expire(8_000)).toBe(false);
    expect(tracker.expire(11_000)).toBe(true);
    expect(tracker.nextExpiry()).toBeUndefined();
  });
});

describe("TypingSignal", () => {
  it("says typing at most once per refresh interval, and stopped once", () => {
    const sent: boolean[] = [];
    const signal = new TypingSignal((on) => sent.push(on), 2_000);
    signal.input(0);
    signal.input(500);
    signal.input(1_999);
    expect(sent).toEqual([true]);
    signal.input(2_000);
    expect(sent).toEqual([true, true]);
    signal.stop();
    signal.stop();
    expect(sent).toEqual([true, true, false]);
    signal.input(2_100); // typing again right after stopping is news
    expect(sent).toEqual([true, true, false, true]);
    signal.reset();
    signal.stop(); // the server forgot us already
    expect(sent).toEqual([true, true, false, true]);
  });
});

describe("describeTyping", () => {
  it("names one or two typists and counts more", () => {
    expect(describeTyping([])).toBe("");
    expect(describeTyping(["Ada"])).toBe("Ada is typing…");
    expect(describeTyping(["Ada", "Bob"])).toBe("Ada and Bob are typing…");
    expect(describeTyping(["Ada", "Bob", "Cy"])).toBe("3 people are typing…");
  });
});
