import { describe, expect, it } from "vitest";
import { KnownRooms, MAX_KNOWN_ROOMS } from "./known-rooms.ts";
import type { KeyStorage } from "./room-keys.ts";

function memoryStorage(): KeyStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (name) => data.get(name) ?? null,
    setItem: (name, value) => void data.set(name, value),
    removeItem: (name) => void data.delete(name),
  };
}

const room = (roomId: string, extra = {}) => ({
  roomId,
  title: `Room ${roomId}`,
  role: "owner" as const,
  name: "Ada",
  ...extra,
});

describe("KnownRooms", () => {
  it("lists visits newest first, a revisit moving its room to the front with what changed", () => {
    let clock = 0;
    const storage = memoryStorage();
    const rooms = new KnownRooms(storage, () => ++clock);
    rooms.remember(room("a"));
    rooms.remember(room("b", { role: "viewer" }));
    rooms.remember(room("a", { title: "Renamed", name: "Ada L" }));
    expect(rooms.list().map((r) => [r.roomId, r.title, r.role, r.name])).toEqual([
      ["a", "Renamed", "owner", "Ada L"],
      ["b", "Room b", "viewer", "Ada"],
    ]);
    expect(new KnownRooms(storage).get("b")).toMatchObject({ role: "viewer", visitedAt: 2 });
  });

  it("is bounded, and removable", () => {
    const rooms = new KnownRooms(memoryStorage());
    for (let i = 0; i < MAX_KNOWN_ROOMS + 5; i++) rooms.remember(room(`r${i}`));
    expect(rooms.list()).toHaveLength(MAX_KNOWN_ROOMS);
    expect(rooms.list()[0]?.roomId).toBe(`r${MAX_KNOWN_ROOMS + 4}`);
    rooms.forget(`r${MAX_KNOWN_ROOMS + 4}`);
    expect(rooms.get(`r${MAX_KNOWN_ROOMS + 4}`)).toBeUndefined();
    expect(rooms.list()).toHaveLength(MAX_KNOWN_ROOMS - 1);
  });

  it("drops what does not read back as a room, and refuses bad entries", () => {
    const storage = memoryStorage();
    storage.data.set(
      "tokencast:rooms",
      JSON.stringify([
        { roomId: "ok", title: "t", role: "owner", name: "Ada", visitedAt: 1 },
        { roomId: "../x", title: "t", role: "owner", name: "Ada", visitedAt: 1 },
        { roomId: "y", title: "t", role: "admin", name: "Ada", visitedAt: 1 },
        { roomId: "z", title: "t", role: "owner", name: "", visitedAt: 1 },
        "junk",
      ]),
    );
    const rooms = new KnownRooms(storage);
    expect(rooms.list().map((r) => r.roomId)).toEqual(["ok"]);
    rooms.remember(room("bad id!"));
    expect(rooms.list().map((r) => r.roomId)).toEqual(["ok"]);
    storage.data.set("tokencast:rooms", "{not json");
    expect(new KnownRooms(storage).list()).toEqual([]);
  });

  it("works for the tab when storage throws", () => {
    const denied: KeyStorage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => undefined,
    };
    const rooms = new KnownRooms(denied);
    rooms.remember(room("a"));
    expect(rooms.get("a")?.name).toBe("Ada");
  });
});
