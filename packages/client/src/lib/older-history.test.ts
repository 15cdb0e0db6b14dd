import { describe, expect, it } from "vitest";
import { OLDER_SLACK_PX, wantsOlder } from "./older-history.ts";

const at = (scrollTop: number, scrollHeight = 3_000) => ({ scrollTop, scrollHeight, clientHeight: 500 });
const reading = { moreHistory: true, loadingOlder: false, following: false };

describe("wantsOlder", () => {
  it("asks when the reader scrolled up near the top", () => {
    expect(wantsOlder(at(0), reading)).toBe(true);
    expect(wantsOlder(at(OLDER_SLACK_PX), reading)).toBe(true);
    expect(wantsOlder(at(OLDER_SLACK_PX + 1), reading)).toBe(false);
  });

  it("does not ask while the list follows the live end (e.g. before the first scroll to the bottom)", () => {
    expect(wantsOlder(at(0), { ...reading, following: true })).toBe(false);
  });

  it("asks when the list does not fill its viewport, there being nothing to scroll", () => {
    expect(wantsOlder(at(0, 400), { ...reading, following: true })).toBe(true);
  });

  it("never asks when there is nothing older or a page is on its way", () => {
    expect(wantsOlder(at(0), { ...reading, moreHistory: false })).toBe(false);
    expect(wantsOlder(at(0, 400), { ...reading, loadingOlder: true })).toBe(false);
  });
});
