import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Member, PresenceEvent } from "@tokencast/protocol";
import { MemoryDirectory } from "../store/memory-directory.ts";
import type { Broadcaster, Logger } from "./ports.ts";
import { Presence } from "./presence.ts";
import { MAX_PRESENCE_INTERVAL_MS } from "./presence-shaper.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
const ROOM = "large";

/** A directory two nodes share, whose sweep removes the members `dead` lists (a node that stopped). */
class SharedDirectory extends MemoryDirectory {
  dead: string[] = [];

  override async sweep(): Promise<string[]> {
    for (const id of this.dead.splice(0)) await this.remove(ROOM, id);
    return [ROOM];
  }
}

/** What a client of the room holds: the last member list any node sent (events without one keep it). */
function viewer() {
  let members: Member[] = [];
  const broadcaster = new Proxy({} as Broadcaster, {
    get: (_, name) => (name === "presence" ? (event: PresenceEvent) => (members = event.members ?? members) : () => {}),
  });
  return { broadcaster, ids: () => members.map((member) => member.id) };
}

function member(id: string, joinedAt: number, role: Member["role"] = "viewer"): Member {
  return { id, name: id, joinedAt, role };
}

describe("Presence across nodes", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("lists a large room's members again after a sweep, whichever node sent the list the viewer holds", async () => {
    const directory = new SharedDirectory();
    const client = viewer();
    const nodeA = new Presence({ directory, broadcaster: client.broadcaster, logger: quiet });
    const nodeB = new Presence({ directory, broadcaster: client.broadcaster, logger: quiet });
    for (let i = 0; i < 150; i++) await nodeB.join(ROOM, member(`b${i}`, i), `10.0.0.${i}`);
    await vi.advanceTimersByTimeAsync(MAX_PRESENCE_INTERVAL_MS);
    const before = client.ids();

    await nodeA.join(ROOM, member("presenter-on-a", 1_000, "presenter"), "10.0.1.1");
    expect(client.ids()[0]).toBe("presenter-on-a");

    // Node A stops; node B sweeps its member away. The list is B's last one again.
    directory.dead.push("presenter-on-a");
    await nodeB.sweep();
    await vi.advanceTimersByTimeAsync(MAX_PRESENCE_INTERVAL_MS);
    expect(client.ids()).toEqual(before);
    nodeA.dispose();
    nodeB.dispose();
  });
});
