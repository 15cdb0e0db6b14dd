import { describe, expect, it } from "vitest";
import { FOLLOW_SLACK_PX, FollowScroll, distanceFromBottom, type ScrollMetrics } from "./follow-scroll.ts";

/** A viewport 500 px high over `scrollHeight` px of content. */
const at = (scrollTop: number, scrollHeight = 2_000): ScrollMetrics => ({ scrollTop, scrollHeight, clientHeight: 500 });
const bottomOf = (scrollHeight: number): ScrollMetrics => at(scrollHeight - 500, scrollHeight);

describe("FollowScroll", () => {
  it("follows from the start and scrolls down as content grows", () => {
    const follow = new FollowScroll();
    expect(follow.following).toBe(true);
    expect(follow.shouldScrollOnResize(at(1_500, 2_300))).toBe(true);
    expect(follow.onScroll(bottomOf(2_300))).toBe(true);
    expect(follow.shouldScrollOnResize(bottomOf(2_300))).toBe(false);
  });

  it("stops following when the reader scrolls up, and stays put while content grows", () => {
    const follow = new FollowScroll();
    follow.onScroll(bottomOf(2_000));
    expect(follow.onScroll(at(1_200))).toBe(false);
    expect(follow.shouldScrollOnResize(at(1_200, 2_600))).toBe(false);
  });

  it("still follows after a small scroll up within the slack", () => {
    const follow = new FollowScroll();
    follow.onScroll(bottomOf(2_000));
    expect(follow.onScroll(at(1_500 - FOLLOW_SLACK_PX))).toBe(true);
    expect(follow.onScroll(at(1_500 - FOLLOW_SLACK_PX - 1))).toBe(false);
  });

  it("does not stop following when content grew before our scroll to the bottom", () => {
    const follow = new FollowScroll();
    follow.onScroll(bottomOf(2_000));
    // A scroll event while grown content is not yet scrolled to: scrollTop did not move up.
    expect(follow.onScroll(at(1_500, 2_400))).toBe(true);
  });

  it("resumes following when the reader scrolls back to the bottom", () => {
    const follow = new FollowScroll();
    follow.onScroll(bottomOf(2_000));
    follow.onScroll(at(300));
    expect(follow.onScroll(at(900))).toBe(false);
    expect(follow.onScroll(bottomOf(2_000))).toBe(true);
  });

  it("jump to live resumes following", () => {
    const follow = new FollowScroll();
    follow.onScroll(bottomOf(2_000));
    follow.onScroll(at(300));
    follow.jumpToLive();
    expect(follow.following).toBe(true);
    expect(follow.shouldScrollOnResize(at(300))).toBe(true);
  });

  it("measures the distance from the bottom, never below zero", () => {
    expect(distanceFromBottom(at(1_000))).toBe(500);
    expect(distanceFromBottom(at(0, 300))).toBe(0);
  });
});
