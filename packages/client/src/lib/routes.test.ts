import { describe, expect, it } from "vitest";
import type { Member } from "@tokencast/protocol";
import { joinCodePath, parseRoute, roomLinkFrom, sameRoute } from "./routes.ts";
import { describeRoleCounts, memberView } from "./member-view.ts";

describe("roomLinkFrom", () => {
  it("takes a bare id, a link, or a link with a key", () => {
    expect(roomLinkFrom(" brave-otter-42 ")).toEqual({ roomId: "brave-otter-42" });
    expect(roomLinkFrom("https://h.example/r/talk-x1")).toEqual({ roomId: "talk-x1" });
    expect(roomLinkFrom("https://h.example/r/talk-x1/?a=1")).toEqual({ roomId: "talk-x1" });
    expect(roomLinkFrom("https://h.example/r/talk-x1#key=S3cret")).toEqual({ roomId: "talk-x1", key: "S3cret" });
    expect(roomLinkFrom("/r/talk-x1#message-4")).toEqual({ roomId: "talk-x1" });
  });

  it("reads /j/<code> as a join code in its stored form; anything else there is not found", () => {
    expect(parseRoute("/j/abc-234")).toEqual({ name: "join-code", code: "ABC234" });
    expect(parseRoute("/j/ABC234/")).toEqual({ name: "join-code", code: "ABC234" });
    expect(parseRoute("/j/ABC10O")).toEqual({ name: "not-found", path: "/j/ABC10O" });
    expect(parseRoute("/j/")).toEqual({ name: "not-found", path: "/j/" });
    expect(joinCodePath("ABC234")).toBe("/j/ABC234");
  });

  it("compares routes by value", () => {
    expect(sameRoute({ name: "room", roomId: "a" }, { name: "room", roomId: "a" })).toBe(true);
    expect(sameRoute({ name: "room", roomId: "a" }, { name: "room", roomId: "b" })).toBe(false);
    expect(sameRoute({ name: "home" }, { name: "room", roomId: "a" })).toBe(false);
  });
});

const member = (id: string, role: Member["role"]): Member => ({ id, name: id, role, joinedAt: 0 });

describe("memberView", () => {
  it("lists everyone in a small room, with the rest as 'more'", () => {
    const members = [member("o", "owner"), member("v", "viewer")];
    const counts = { owner: 1, presenter: 0, participant: 0, viewer: 3 };
    expect(memberView(members, 4, counts)).toEqual({ listed: members, viewerCount: 0, more: 2 });
  });

  it("shows viewers as a count in a large room, keeping self listed", () => {
    const members = [member("o", "owner"), member("p", "presenter"), member("me", "viewer"), member("v2", "viewer")];
    const counts = { owner: 1, presenter: 1, participant: 3, viewer: 95 };
    const view = memberView(members, 100, counts, "me");
    expect(view.listed.map((m) => m.id)).toEqual(["o", "p", "me"]);
    expect(view).toMatchObject({ viewerCount: 94, more: 3 });
  });

  it("describes counts by role", () => {
    expect(describeRoleCounts({ owner: 1, presenter: 0, participant: 2, viewer: 1 })).toBe(
      "1 owner · 2 participants · 1 viewer",
    );
    expect(describeRoleCounts({ owner: 0, presenter: 0, participant: 0, viewer: 0 })).toBe("");
  });
});
