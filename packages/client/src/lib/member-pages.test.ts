import { expect, it } from "vitest";
import type { Member } from "@tokencast/protocol";
import { hasUnlisted, withNextPage, type FetchMemberPage } from "./member-pages.ts";

const member = (i: number): Member => ({ id: `m${i}`, name: `n${i}`, joinedAt: i, role: "viewer" });

/** A fake server of `total` members, pages of at most `size`, recording what it was asked. */
function server(total: number, size: number) {
  const asked: Array<{ after?: string; limit?: number }> = [];
  const fetch: FetchMemberPage = async (options) => {
    asked.push(options);
    const start = options.after === undefined ? 0 : Number(options.after);
    const members = Array.from({ length: Math.min(size, total - start) }, (_, i) => member(start + i));
    const next = start + members.length < total ? { next: String(start + members.length) } : {};
    return { members, count: total, roleCounts: { owner: 0, presenter: 0, participant: 0, viewer: total }, ...next };
  };
  return { fetch, asked };
}

it("appends each page after the last, continuing from its cursor, until there is no next", async () => {
  const { fetch, asked } = server(5, 2);
  let pages = await withNextPage(fetch);
  expect(pages).toEqual({ members: [member(0), member(1)], count: 5, next: "2" });
  pages = await withNextPage(fetch, pages);
  pages = await withNextPage(fetch, pages);
  expect(pages.members.map((m) => m.id)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
  expect(pages.next).toBeUndefined();
  expect(asked.map((a) => a.after)).toEqual([undefined, "2", "4"]);
  expect(asked.every((a) => a.limit === 200)).toBe(true);
});

it("holds a member once even when a later page lists them again", async () => {
  const { fetch } = server(3, 2);
  const pages = await withNextPage(fetch, { members: [member(1)], count: 3, next: undefined });
  expect(pages.members.map((m) => m.id)).toEqual(["m1", "m0"]);
});

it("offers the whole list only when presence lists fewer than the room holds", () => {
  const listed = [member(1), member(2)];
  expect(hasUnlisted(listed, 2)).toBe(false);
  expect(hasUnlisted(listed, 3)).toBe(true);
});
