import { describe, expect, it } from "vitest";
import { ROOM_ID_PATTERN, MAX_ROOM_ID_LENGTH } from "@tokencast/protocol";
import { createdRoomId, isCreatedRoomId } from "./room-ids.ts";

describe("created room ids", () => {
  it("are valid room ids, readable, and recognised as created", () => {
    for (const title of ["Team standup", "", "Ünïcode — ça va?", "x".repeat(200), "__--__", "日本語"]) {
      const id = createdRoomId(title);
      expect(id).toMatch(ROOM_ID_PATTERN);
      expect(id.length).toBeLessThanOrEqual(MAX_ROOM_ID_LENGTH);
      expect(isCreatedRoomId(id)).toBe(true);
    }
    expect(createdRoomId("Team standup")).toMatch(/^team-standup_[a-z0-9]{12}$/);
  });

  it("are not ad-hoc names: a changed character or a plain name is not a created id", () => {
    const id = createdRoomId("Launch");
    const last = id.at(-1) === "a" ? "b" : "a";
    expect(isCreatedRoomId(id.slice(0, -1) + last)).toBe(false);
    expect(isCreatedRoomId(`x${id}`)).toBe(false);
    for (const name of ["general", "team-standup-k3j9x2ab", "room_abcdefghijkl", "a_", "_abcdefghijkl"]) {
      expect(isCreatedRoomId(name)).toBe(false);
    }
  });

  it("differ from each other", () => {
    const ids = new Set(Array.from({ length: 500 }, () => createdRoomId("same")));
    expect(ids.size).toBe(500);
  });
});
