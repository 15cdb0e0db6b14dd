/** Presence in a crowded room: a bounded member list plus an exact count, sent a few times, not per join. */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { MAX_LISTED_MEMBERS } from "@tokencast/protocol";
import { closeAllClients, rawClient, type RawClient } from "./helpers/clients.ts";
import { startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { waitFor } from "./helpers/wait.ts";

let node: ServerNode;
beforeAll(async () => {
  node = await startNode();
});
afterEach(() => closeAllClients());
afterAll(async () => {
  await node?.stop();
});

it("a room of 120 lists the first 100 members and counts all 120; presence is not sent once per join", async () => {
  const total = MAX_LISTED_MEMBERS + 20;
  const first = await rawClient(node.url);
  const updates: Array<{ members: unknown[]; count: number }> = [];
  first.socket.on("room:presence", (p) => updates.push(p));
  await first.join("crowd", "first");
  const others: RawClient[] = [];
  for (let i = 1; i < total; i++) others.push(await rawClient(node.url));
  const acks = await Promise.all(others.map((c, i) => c.join("crowd", `m${i}`)));
  expect(Math.max(...acks.map((a) => a.members.length))).toBe(MAX_LISTED_MEMBERS);
  expect(acks.at(-1)!.memberCount).toBeGreaterThan(MAX_LISTED_MEMBERS);
  const last = await waitFor(() => updates.findLast((u) => u.count === total), { what: "presence with everyone" });
  expect(last.members).toHaveLength(MAX_LISTED_MEMBERS);
  expect(updates.length).toBeLessThan(total / 4);

  others[0]!.close();
  await waitFor(() => updates.at(-1)!.count === total - 1, { what: "presence after one leaves" });
});
