import { describe, expect, it } from "vitest";
import type { Member, Role } from "@tokencast/protocol";
import { MemoryDirectory } from "../store/memory-directory.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { AppError } from "./errors.ts";
import { JoinLimits, type JoinAttempt, type JoinLimitSettings } from "./join-limits.ts";
import type { ActionBudget, Broadcaster, Logger } from "./ports.ts";
import { Presence } from "./presence.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
const silent = new Proxy({}, { get: () => () => Promise.resolve(0) }) as Broadcaster;

/** A budget of `allowance` spends per key, recording who spent. */
function countingBudget(allowance: number): ActionBudget & { spent: string[] } {
  const spent: string[] = [];
  return {
    spent,
    spend: async (key) => {
      spent.push(key);
      return spent.filter((k) => k === key).length > allowance ? 1500 : undefined;
    },
  };
}

const NO_CAPS: JoinLimitSettings = {
  maxMembersPerRoom: 10_000,
  maxRoomsPerNode: 10_000,
  maxRoomsPerConnection: 0,
  maxMembersPerIpPerRoom: 0,
};

/** A node's presence and limits; `join` checks and then joins like RoomService.join does. */
function node(limits: Partial<JoinLimitSettings>, adhocRooms?: ActionBudget) {
  const directory = new MemoryDirectory();
  const store = new MemoryStore({ historyLimit: 10, idleTtlMs: 60_000 });
  const presence = new Presence({ directory, broadcaster: silent, logger: quiet });
  const rules = new JoinLimits({ limits: { ...NO_CAPS, ...limits }, presence, directory, store, adhocRooms });
  const join = async (
    connectionId: string,
    ip: string,
    roomId: string,
    options: { role?: Role; created?: boolean } = {},
  ) => {
    const attempt: JoinAttempt = {
      roomId,
      connectionId,
      ip,
      role: options.role ?? "participant",
      created: options.created ?? false,
    };
    const release = await rules.check(attempt);
    const member: Member = { id: connectionId, name: connectionId, joinedAt: Date.now(), role: attempt.role };
    await presence.join(roomId, member, ip).finally(release);
  };
  return { join, presence, store, directory, rules };
}

async function refusal(attempt: Promise<unknown>): Promise<AppError> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe("JoinLimits: rooms per connection (MAX_ROOMS_PER_CONNECTION)", () => {
  it("refuses an 11th room with too_many_rooms; a room it is in, another connection, and a left room's slot are fine", async () => {
    const { join, presence } = node({ maxRoomsPerConnection: 10 });
    for (let i = 0; i < 10; i++) await join("c1", "198.51.100.1", `room-${i}`);
    const error = await refusal(join("c1", "198.51.100.1", "room-10"));
    expect(error.code).toBe("too_many_rooms");
    expect(error.message).toMatch(/at most 10 rooms/);
    await expect(
      refusal(join("c1", "198.51.100.1", "room-10", { role: "owner", created: true })),
    ).resolves.toMatchObject({ code: "too_many_rooms" });
    await join("c1", "198.51.100.1", "room-3"); // already in it: nothing new
    await join("c2", "198.51.100.1", "room-10");
    presence.leave("c1", "room-0");
    await join("c1", "198.51.100.1", "room-10");
  });
});

describe("JoinLimits: one IP's share of MAX_ROOMS_PER_NODE", () => {
  it("one IP with many connections holds at most a tenth of the node's rooms; another IP still opens rooms", async () => {
    const { join, presence, rules } = node({ maxRoomsPerNode: 40 });
    expect(rules.ipShare()).toBe(4);
    const hog = "203.0.113.66";
    for (let i = 0; i < 4; i++) await join(`hog-${i}`, hog, `hog-room-${i}`);
    const error = await refusal(join("hog-9", hog, "hog-room-9"));
    expect(error.code).toBe("server_full");
    expect(error.message).toMatch(/your address/i);
    // A room already on the node takes no new slot: the IP may join it.
    await join("guest", "198.51.100.2", "popular");
    await join("hog-0", hog, "popular");
    await join("other", "198.51.100.2", "fresh-room");
    presence.disconnect("hog-0"); // leaves hog-room-0 and popular: the hog holds 3 rooms again
    expect(presence.roomsHeldBy(hog)).toBe(3);
    await join("hog-9", hog, "hog-room-9");
  });

  it("at least one room per IP on a tiny node; the node's own cap still applies to everyone", async () => {
    const { join, rules } = node({ maxRoomsPerNode: 2 });
    expect(rules.ipShare()).toBe(1);
    await join("a", "198.51.100.1", "r1");
    expect((await refusal(join("a", "198.51.100.1", "r2"))).code).toBe("server_full");
    await join("b", "198.51.100.2", "r2");
    expect((await refusal(join("c", "198.51.100.3", "r3"))).message).toMatch(/as many rooms as it may/);
    await join("owner", "198.51.100.3", "r3", { role: "owner", created: true }); // the owner runs the room
  });
});

describe("JoinLimits: members per IP per room (MAX_MEMBERS_PER_IP_PER_ROOM)", () => {
  it("refuses a third member from one IP with room_full; other IPs, the owner and presenters get in", async () => {
    const { join } = node({ maxMembersPerIpPerRoom: 2 });
    const nat = "198.51.100.10";
    await join("m1", nat, "talk");
    await join("m2", nat, "talk");
    const error = await refusal(join("m3", nat, "talk"));
    expect(error.code).toBe("room_full");
    expect(error.message).toMatch(/from your address/);
    await join("m3", nat, "other-talk");
    await join("x1", "198.51.100.11", "talk");
    await join("p1", nat, "talk", { role: "presenter", created: true });
    await join("o1", nat, "talk", { role: "owner", created: true });
  });

  it("counts the IP's members on every node (the shared directory)", async () => {
    const a = node({ maxMembersPerIpPerRoom: 2 });
    const nat = "198.51.100.12";
    // Another node's members of this IP, as the shared directory lists them.
    await a.directory.add("talk", { id: "elsewhere-1", name: "e1", joinedAt: 1, role: "viewer" }, nat);
    await a.directory.add("talk", { id: "elsewhere-2", name: "e2", joinedAt: 2, role: "viewer" }, nat);
    expect((await refusal(a.join("here", nat, "talk"))).code).toBe("room_full");
  });
});

describe("JoinLimits: joins in flight at once", () => {
  const joined = (results: PromiseSettledResult<unknown>[]) => results.filter((r) => r.status === "fulfilled").length;

  it("a burst of joins from one IP cannot overshoot its share, a connection's cap or the members per IP", async () => {
    const { join, presence } = node({ maxRoomsPerNode: 40, maxRoomsPerConnection: 10, maxMembersPerIpPerRoom: 3 });
    const hog = "203.0.113.66";
    expect(
      joined(await Promise.allSettled(Array.from({ length: 20 }, (_, i) => join(`hog-${i}`, hog, `burst-${i}`)))),
    ).toBe(4);
    expect(presence.roomsHeldBy(hog)).toBe(4);
    const one = "198.51.100.70";
    const rooms = Array.from({ length: 15 }, (_, i) => `busy-${i}`);
    for (const [i, room] of rooms.entries()) await join(`opener-${i % 5}`, `198.51.100.${80 + (i % 5)}`, room);
    expect(joined(await Promise.allSettled(rooms.map((room) => join("one-connection", one, room))))).toBe(10);
    expect(
      joined(
        await Promise.allSettled(Array.from({ length: 10 }, (_, i) => join(`nat-${i}`, "198.51.100.90", "busy-0"))),
      ),
    ).toBe(3);
  });

  it("a refused join gives back what it held", async () => {
    const { join } = node({ maxRoomsPerNode: 40, maxMembersPerIpPerRoom: 1 });
    await join("a", "198.51.100.1", "r");
    expect((await refusal(join("b", "198.51.100.1", "r"))).code).toBe("room_full");
    for (let i = 0; i < 3; i++) await join(`c${i}`, "198.51.100.1", `new-${i}`);
  });
});

describe("JoinLimits: ad-hoc rooms opened per IP (ADHOC_ROOMS_PER_IP_PER_HOUR)", () => {
  it("opening an empty ad-hoc room spends the IP's budget; over it: rate_limited with retryAfter", async () => {
    const budget = countingBudget(2);
    const { join } = node({}, budget);
    await join("c1", "198.51.100.1", "first");
    await join("c1", "198.51.100.1", "second");
    const error = await refusal(join("c1", "198.51.100.1", "third"));
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfter).toBe(2);
    await join("c2", "198.51.100.2", "third");
    expect(budget.spent).toEqual(["198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.2"]);
  });

  it("joining a room with members or with history, or a created room, spends nothing", async () => {
    const budget = countingBudget(0);
    const { join, store } = node({}, budget);
    await join("owner", "198.51.100.1", "created", { created: true });
    await join("guest", "198.51.100.2", "created", { created: true });
    await store.addMessage({
      id: "m",
      roomId: "old",
      role: "user",
      author: "a",
      text: "hi",
      seq: 0,
      status: "done",
      createdAt: 1,
    });
    await join("guest", "198.51.100.2", "old");
    await join("guest2", "198.51.100.3", "old");
    expect(budget.spent).toEqual([]);
    expect((await refusal(join("guest", "198.51.100.2", "brand-new"))).code).toBe("rate_limited");
  });

  it("spends nothing for a join refused by another limit", async () => {
    const budget = countingBudget(5);
    const { join } = node({ maxRoomsPerConnection: 1 }, budget);
    await join("c1", "198.51.100.1", "first");
    expect((await refusal(join("c1", "198.51.100.1", "second"))).code).toBe("too_many_rooms");
    expect(budget.spent).toHaveLength(1);
  });
});
