import { describe, expect, it } from "vitest";
import { defaultSettings, type RoomInfo } from "@tokencast/protocol";
import { GENERIC_TITLE, cardTitle } from "./card-title.ts";

function room(id: string, title: string, owned: boolean): RoomInfo {
  const limits = { maxTextLength: 4000, maxNameLength: 40 };
  return { id, settings: defaultSettings("chat", title), owned, model: "m", demo: false, limits };
}

describe("cardTitle", () => {
  it("shows a created room's title, never a room id", () => {
    expect(cardTitle(room("launch_abcdefabcdef", "Launch FAQ", true))).toBe("Launch FAQ");
    expect(cardTitle(room("launch-faq", "launch-faq", false))).toBe(GENERIC_TITLE);
    expect(cardTitle(undefined)).toBe(GENERIC_TITLE);
  });
});
