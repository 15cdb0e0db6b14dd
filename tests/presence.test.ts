/** Presence in a crowded room: a bounded member list plus an exact count, sent a few times, not per join. */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { MAX_LISTED_MEMBERS, type PresenceEvent } from "@tokencast/protocol";
import { closeAllClients, rawClient, type RawClient } from "./helpers/clients.ts";
import { closeAllSse, openSse } from "./helpers/sse-client.ts";
import { startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { waitFor } from "./helpers/wait.ts";

let node: ServerNode;
beforeAll(async () => {
  node = await startNode();
});
afterEach(() => {
  closeAllClients();
  closeAllSse();
});
afterAll(async () => {
  await node?.stop();
});

it("a room of 120 lists the first 100 members and counts all 120; presence is not sent once per join", async () => {
  const total = MAX_LISTED_MEMBERS + 20;
  const first = await rawClient(node.url);
  const updates: PresenceEvent[] = [];
  first.socket.on("room:presence", (p) => updates.push(p));
  await first.join("crowd", "first");
  const sse = await openSse(`${node.url}/api/rooms/crowd/events`);
  await waitFor(() => updates.at(-1)?.count === 2, { what: "the SSE viewer in presence" });
  const others: RawClient[] = [];
  for (let i = 2; i < total; i++) others.push(await rawClient(node.url));
  const acks = await Promise.all(others.map((c, i) => c.join("crowd", `m${i}`)));
  expect(Math.max(...acks.map((a) => a.members.length))).toBe(MAX_LISTED_MEMBERS);
  expect(acks.at(-1)!.memberCount).toBeGreaterThan(MAX_LISTED_MEMBERS);
  await waitFor(() => updates.findLast((u) => u.count === total), { what: "presence with everyone" });
  // Past MAX_LISTED_MEMBERS an event lists the members only when the listed ones changed (a deliberate
  // change of the contract: before, every event listed them); these joined at the back.
  expect(updates.findLast((u) => u.members)!.members).toHaveLength(MAX_LISTED_MEMBERS);
  expect(updates.filter((u) => u.count > MAX_LISTED_MEMBERS && u.members).length).toBeLessThanOrEqual(1);
  expect(updates.length).toBeLessThan(total / 4);

  const late = await rawClient(node.url);
  await late.join("crowd", "late");
  const counted = await waitFor(() => updates.find((u) => u.count === total + 1), { what: "the late joiner" });
  expect(counted.members).toBeUndefined();
  // The SSE stream fills in the list a counts-only event leaves out.
  const sseCounted = await sse.until(
    (s) => s.events.find((e) => e.event === "presence" && (e.data as PresenceEvent).count === total + 1),
    "the late joiner on the SSE stream",
  );
  expect((sseCounted.data as PresenceEvent).members).toHaveLength(MAX_LISTED_MEMBERS);

  const before = updates.length;
  const gone = others[0]!.socket.id;
  others[0]!.close(); // a listed member: the list goes out again, without it
  const after = await waitFor(() => updates.slice(before).find((u) => u.count === total), {
    what: "presence after one leaves",
  });
  expect(after.members).toHaveLength(MAX_LISTED_MEMBERS);
  expect(after.members!.map((m) => m.id)).not.toContain(gone);
});
