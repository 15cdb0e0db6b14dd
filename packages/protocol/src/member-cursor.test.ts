import { expect, it } from "vitest";
import { compareMembers, memberCursor, readMemberCursor, type MemberPlace } from "./member-cursor.ts";

it("a cursor names the place it was made from, whatever the id holds", () => {
  const places: MemberPlace[] = [
    { role: "owner", joinedAt: 0, id: "a" },
    { role: "viewer", joinedAt: 1_764_771_234_567, id: "x.y.z" },
    { role: "participant", joinedAt: 5, id: "k".repeat(64) },
  ];
  for (const place of places) expect(readMemberCursor(memberCursor(place))).toEqual(place);
});

it("anything a server could not have made is not a cursor", () => {
  for (const cursor of [
    "",
    "garbage",
    "4.1.a",
    "1.01.a",
    "1.-1.a",
    "1.1.",
    "1.10000000000000.a",
    `1.1.${"k".repeat(65)}`,
  ])
    expect(readMemberCursor(cursor), cursor).toBeUndefined();
});

it("orders by role rank, then join time, then id", () => {
  const sorted: MemberPlace[] = [
    { role: "owner", joinedAt: 9, id: "z" },
    { role: "participant", joinedAt: 1, id: "b" },
    { role: "participant", joinedAt: 2, id: "a" },
    { role: "participant", joinedAt: 2, id: "b" },
    { role: "viewer", joinedAt: 0, id: "a" },
  ];
  expect([...sorted].reverse().sort(compareMembers)).toEqual(sorted);
});
