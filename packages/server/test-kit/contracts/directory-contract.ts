/**
 * The MemberDirectory contract (core/ports.ts) every implementation keeps: listing (most powerful
 * role first, then by join time, then id), paging after a place, and counts, per room and per
 * client IP. Heartbeats and sweeping dead nodes, which only a cluster has, are tested with the
 * Redis implementation (src/store/directory.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { Member } from "@tokencast/protocol";
import type { MemberDirectory } from "../../src/core/ports.ts";

const ids = (members: Member[]) => members.map((m) => m.id);

/** Every member's id, page by page of `limit`, each page continuing after the last one's last member. */
async function pageThrough(directory: MemberDirectory, roomId: string, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: Member | undefined;
  for (;;) {
    const page = await directory.page(roomId, after, limit);
    pages.push(ids(page.members));
    after = page.members.at(-1);
    if (!page.more) return pages;
  }
}

const member = (id: string, joinedAt: number, role: Member["role"] = "participant"): Member => ({
  id,
  name: `name-${id}`,
  joinedAt,
  role,
});
const counts = (participant: number, others: Partial<Record<Member["role"], number>> = {}) => ({
  owner: 0,
  presenter: 0,
  viewer: 0,
  participant,
  ...others,
});

export function directoryContract(name: string, make: () => MemberDirectory): void {
  describe(`MemberDirectory contract: ${name}`, () => {
    it("lists the earliest members up to a limit and counts them all; rooms are apart", async () => {
      const directory = make();
      for (let i = 1; i <= 5; i++) await directory.add("r", member(`m${i}`, 1000 + i));
      await directory.add("other", member("x", 1));
      const listed = await directory.list("r", 3);
      expect(listed.count).toBe(5);
      expect(listed.members).toEqual([member("m1", 1001), member("m2", 1002), member("m3", 1003)]);
      await directory.remove("r", "m2");
      await directory.remove("r", "m2"); // twice: no harm
      expect((await directory.list("r", 10)).members.map((m) => m.id)).toEqual(["m1", "m3", "m4", "m5"]);
      expect(await directory.list("empty", 10)).toEqual({ members: [], count: 0, roleCounts: counts(0) });
      expect(await directory.sweep()).toEqual([]);
    });

    it("lists the owner and presenters first, then participants, then viewers, and counts each role", async () => {
      const directory = make();
      await directory.add("big", member("v1", 1, "viewer"));
      await directory.add("big", member("p1", 2));
      await directory.add("big", member("v2", 3, "viewer"));
      await directory.add("big", member("pr", 4, "presenter"));
      await directory.add("big", member("own", 5, "owner"));
      const listed = await directory.list("big", 3);
      expect(listed.members.map((m) => m.id)).toEqual(["own", "pr", "p1"]);
      expect(listed.count).toBe(5);
      expect(listed.roleCounts).toEqual(counts(1, { owner: 1, presenter: 1, viewer: 2 }));
      expect(await directory.list("big", 0)).toMatchObject({ members: [], count: 5 });
      await directory.remove("big", "v1");
      expect((await directory.list("big", 10)).roleCounts.viewer).toBe(1);
    });

    it("counts a room's members per client IP as they come and go, and never lists the IP", async () => {
      const directory = make();
      await directory.add("r", member("a1", 1), "198.51.100.1");
      await directory.add("r", member("a2", 2), "198.51.100.1");
      await directory.add("r", member("a2", 2), "198.51.100.1"); // added again (restored): counted once
      await directory.add("r", member("b1", 3), "198.51.100.2");
      await directory.add("r", member("n1", 4)); // no IP known: counted for none
      await directory.add("other", member("a3", 5), "198.51.100.1");
      expect(await directory.countFrom("r", "198.51.100.1")).toBe(2);
      expect(await directory.countFrom("r", "198.51.100.2")).toBe(1);
      expect(await directory.countFrom("r", "203.0.113.1")).toBe(0);
      expect(JSON.stringify(await directory.list("r", 10))).not.toContain("198.51.100");
      await directory.remove("r", "a1");
      await directory.remove("r", "a1");
      await directory.remove("r", "n1");
      expect(await directory.countFrom("r", "198.51.100.1")).toBe(1);
      await directory.remove("r", "a2");
      expect(await directory.countFrom("r", "198.51.100.1")).toBe(0);
      expect(await directory.countFrom("other", "198.51.100.1")).toBe(1);
    });

    it("pages through every role in listing order, each page after a place, with counts and whether more follow", async () => {
      const directory = make();
      await directory.add("r", member("v1", 1, "viewer"));
      for (let i = 1; i <= 4; i++) await directory.add("r", member(`p${i}`, 10 + i));
      await directory.add("r", member("own", 50, "owner"));
      await directory.add("r", member("pr", 40, "presenter"));
      const all = ["own", "pr", "p1", "p2", "p3", "p4", "v1"];
      expect(ids((await directory.list("r", 10)).members)).toEqual(all);
      expect(await pageThrough(directory, "r", 3)).toEqual([all.slice(0, 3), all.slice(3, 6), all.slice(6)]);
      expect(await pageThrough(directory, "r", 7)).toEqual([all]);
      const first = await directory.page("r", undefined, 2);
      expect(first).toEqual({ ...(await directory.list("r", 2)), more: true });
      expect(first.roleCounts).toEqual(counts(4, { owner: 1, presenter: 1, viewer: 1 }));
      expect(await directory.page("r", member("v1", 1, "viewer"), 5)).toMatchObject({
        members: [],
        count: 7,
        more: false,
      });
      expect(await directory.page("empty", undefined, 5)).toEqual({
        members: [],
        count: 0,
        roleCounts: counts(0),
        more: false,
      });
    });

    it("orders members who joined in the same ms by id, and pages among them", async () => {
      const directory = make();
      for (const id of ["d", "c", "a", "b"]) await directory.add("r", member(id, 7));
      await directory.add("r", member("z", 6));
      await directory.add("r", member("e", 8));
      expect(ids((await directory.list("r", 10)).members)).toEqual(["z", "a", "b", "c", "d", "e"]);
      expect(await pageThrough(directory, "r", 2)).toEqual([
        ["z", "a"],
        ["b", "c"],
        ["d", "e"],
      ]);
      expect(ids((await directory.page("r", member("bb", 7), 2)).members)).toEqual(["c", "d"]);
      expect(ids((await directory.page("r", member("z", 6), 1)).members)).toEqual(["a"]);
      expect(ids((await directory.list("r", 2)).members)).toEqual(["z", "a"]);
    });

    it("a page after a member who left starts with the next one still there; newcomers come at the end", async () => {
      const directory = make();
      for (let i = 1; i <= 6; i++) await directory.add("r", member(`m${i}`, 100 + i));
      const first = await directory.page("r", undefined, 3);
      expect(ids(first.members)).toEqual(["m1", "m2", "m3"]);
      await directory.remove("r", "m3"); // the page's last member, whose place the next page starts after
      await directory.remove("r", "m1"); // someone already seen
      await directory.add("r", member("m7", 107));
      const next = await directory.page("r", first.members.at(-1), 3);
      expect(next).toMatchObject({ count: 5, more: true });
      expect(ids(next.members)).toEqual(["m4", "m5", "m6"]);
      expect(ids((await directory.page("r", next.members.at(-1), 3)).members)).toEqual(["m7"]);
    });
  });
}
