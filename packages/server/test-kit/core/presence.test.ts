/** Presence of a crowded room through RoomService: batched; counts always, the listed members when they changed. */
import { expect, it } from "vitest";
import { MAX_LISTED_MEMBERS, type PresenceEvent } from "@tokencast/protocol";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { CoreHarness } from "../harness/core-harness.ts";
import type { Person } from "../harness/person.ts";

const LISTED = MAX_LISTED_MEMBERS;

function presences(h: CoreHarness): PresenceEvent[] {
  return h.broadcaster.in("crowd").flatMap((recorded) => (recorded.type === "presence" ? [recorded.event] : []));
}

/** `size` people joining one after another, a ms apart (members who join in the same ms are listed by id). */
async function crowd(h: CoreHarness, size: number): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = 0; i < size; i++) {
    h.clock.advance(1);
    people.push(await h.join(`m${i}`, { roomId: "crowd" }));
  }
  return people;
}

it("past the listed bound, presence carries the counts, and the listed members only when they changed", async () => {
  const h = new CoreHarness({ limits: { maxMembersPerRoom: 1000 } });
  const people = await crowd(h, LISTED + 50);
  expect(people.at(-1)!.joined.members.map((m) => m.id)).toEqual(people.slice(0, LISTED).map((p) => p.id));
  expect(people.at(-1)!.joined.memberCount).toBe(LISTED + 50);
  await waitFor(() => presences(h).some((p) => p.count === LISTED + 50), { what: "presence with everyone" });
  const listed = presences(h).findLast((p) => p.members)!;
  expect(listed.members!.map((m) => m.id)).toEqual(people.slice(0, LISTED).map((p) => p.id));
  // Once the first LISTED were in, everyone else joined at the back: the list went out once more at most.
  expect(presences(h).filter((p) => p.count > LISTED && p.members)).toHaveLength(1);

  await h.join("late", { roomId: "crowd" });
  const late = await waitFor(() => presences(h).find((p) => p.count === LISTED + 51), { what: "the late joiner" });
  expect(late).toEqual({ roomId: "crowd", count: LISTED + 51, roleCounts: expect.any(Object) });
  expect(late.roleCounts.participant).toBe(LISTED + 51);

  const before = presences(h).length;
  people[1]!.leave(); // a listed member: everyone after it moves up
  const moved = await waitFor(
    () =>
      presences(h)
        .slice(before)
        .find((p) => p.members),
    {
      what: "the list without the one who left",
    },
  );
  expect(moved.count).toBe(LISTED + 50);
  expect(moved.members!.map((m) => m.id)).toEqual([people[0]!.id, ...people.slice(2, LISTED + 1).map((p) => p.id)]);
});

it("a burst of joins is one or two broadcasts, not one per join", async () => {
  const h = new CoreHarness({ limits: { maxMembersPerRoom: 1000 } });
  await crowd(h, 1);
  await waitFor(() => presences(h).length === 1, { what: "the first presence" });
  await new Promise((resolve) => setTimeout(resolve, 300)); // the first window closes: the burst opens a new one
  await Promise.all(Array.from({ length: 80 }, (_, i) => h.join(`b${i}`, { roomId: "crowd" })));
  await waitFor(() => presences(h).some((p) => p.count === 81), { what: "presence with the burst" });
  expect(presences(h).length).toBeLessThanOrEqual(3);
});
