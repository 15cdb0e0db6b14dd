import { expect, it } from "vitest";
import { MAX_LISTED_MEMBERS, type Member } from "@tokencast/protocol";
import type { MemberListing } from "./ports.ts";
import { MAX_PRESENCE_INTERVAL_MS, PRESENCE_INTERVAL_MS, PresenceShaper } from "./presence-shaper.ts";

const member = (i: number): Member => ({ id: `m${i}`, name: `n${i}`, joinedAt: i, role: "viewer" });
const roleCounts = (count: number) => ({ owner: 0, presenter: 0, participant: 0, viewer: count });
/** A room of `count` members listing its first MAX_LISTED_MEMBERS from `from` on. */
function listing(count: number, from = 1): MemberListing {
  const listed = Math.min(count, MAX_LISTED_MEMBERS);
  return { members: Array.from({ length: listed }, (_, i) => member(from + i)), count, roleCounts: roleCounts(count) };
}

it("a small room lists its members in every event, even unchanged", () => {
  const shaper = new PresenceShaper();
  expect(shaper.event("r", listing(3)).members).toHaveLength(3);
  expect(shaper.event("r", listing(3))).toEqual({ roomId: "r", ...listing(3) });
  expect(shaper.event("r", listing(MAX_LISTED_MEMBERS)).members).toHaveLength(MAX_LISTED_MEMBERS);
  expect(shaper.event("r", listing(MAX_LISTED_MEMBERS)).members).toHaveLength(MAX_LISTED_MEMBERS);
});

it("a large room sends counts only while its listed members stay the same, and the list when they change", () => {
  const shaper = new PresenceShaper();
  const big = MAX_LISTED_MEMBERS + 50;
  expect(shaper.event("r", listing(big)).members).toHaveLength(MAX_LISTED_MEMBERS);
  // Viewers joining at the back change the counts only.
  expect(shaper.event("r", listing(big + 1))).toEqual({ roomId: "r", count: big + 1, roleCounts: roleCounts(big + 1) });
  expect(shaper.event("r", listing(big + 2)).members).toBeUndefined();
  // A listed member left: everyone moves up.
  expect(shaper.event("r", listing(big + 1, 2)).members?.[0]?.id).toBe("m2");
  expect(shaper.event("r", listing(big + 1, 2)).members).toBeUndefined();
  // Rooms apart; a forgotten room lists again.
  expect(shaper.event("other", listing(big + 1, 2)).members).toHaveLength(MAX_LISTED_MEMBERS);
  shaper.forget("r");
  expect(shaper.event("r", listing(big + 1, 2)).members).toHaveLength(MAX_LISTED_MEMBERS);
});

it("a room that shrinks to a small one lists again; growing past the bound lists once more", () => {
  const shaper = new PresenceShaper();
  shaper.event("r", listing(MAX_LISTED_MEMBERS + 1));
  expect(shaper.event("r", listing(MAX_LISTED_MEMBERS)).members).toHaveLength(MAX_LISTED_MEMBERS);
  expect(shaper.event("r", listing(MAX_LISTED_MEMBERS + 1)).members).toHaveLength(MAX_LISTED_MEMBERS);
});

it("spaces a room's broadcasts by its audience: bounded deliveries per second, within a floor and a ceiling", () => {
  const shaper = new PresenceShaper();
  expect(shaper.intervalMs("unknown")).toBe(PRESENCE_INTERVAL_MS);
  shaper.event("r", listing(200));
  expect(shaper.intervalMs("r")).toBe(PRESENCE_INTERVAL_MS);
  shaper.event("r", listing(1_000));
  expect(shaper.intervalMs("r")).toBe(1_000);
  shaper.event("r", listing(2_500));
  expect(shaper.intervalMs("r")).toBe(2_500);
  shaper.event("r", listing(1_000_000));
  expect(shaper.intervalMs("r")).toBe(MAX_PRESENCE_INTERVAL_MS);
  shaper.forget("r");
  expect(shaper.intervalMs("r")).toBe(PRESENCE_INTERVAL_MS);
});
