import { describe, expect, it } from "vitest";
import { checkName, loadName, saveName } from "./names.ts";
import { parseRoute, roomPath } from "./routes.ts";
import { randomRoomSlug } from "./slug.ts";

describe("routes", () => {
  it("parses home, rooms and unknown paths", () => {
    expect(parseRoute("/")).toEqual({ name: "home" });
    expect(parseRoute("/r/brave-otter-42")).toEqual({ name: "room", roomId: "brave-otter-42" });
    expect(parseRoute("/r/brave-otter-42/")).toEqual({ name: "room", roomId: "brave-otter-42" });
    expect(parseRoute("/r/bad%20id")).toMatchObject({ name: "not-found" });
    expect(parseRoute("/r/%E0%A4%A")).toMatchObject({ name: "not-found" });
    expect(parseRoute("/elsewhere")).toMatchObject({ name: "not-found" });
    expect(parseRoute(roomPath("a_b-1"))).toEqual({ name: "room", roomId: "a_b-1" });
  });
});

describe("names", () => {
  it("validates like the protocol's nameSchema", () => {
    expect(checkName("  Ada  ")).toEqual({ ok: true, name: "Ada" });
    expect(checkName("   ")).toMatchObject({ ok: false });
    expect(checkName("x".repeat(41))).toMatchObject({ ok: false });
    expect(checkName("tab\there\u200b")).toEqual({ ok: true, name: "tabhere" });
    expect(checkName("\u200b\u2060")).toEqual({ ok: false, message: "Please enter a name." });
  });

  it("remembers the name, and survives storage that throws", () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    };
    saveName("Ada", storage);
    expect(loadName(storage)).toBe("Ada");
    const broken = {
      getItem: (): string => {
        throw new Error("denied");
      },
      setItem: (): void => {
        throw new Error("denied");
      },
    };
    expect(loadName(broken)).toBe("");
    expect(() => saveName("Ada", broken)).not.toThrow();
  });
});

describe("randomRoomSlug", () => {
  it("makes readable, valid room ids", () => {
    for (let i = 0; i < 50; i++) {
      const slug = randomRoomSlug();
      expect(slug).toMatch(/^[a-z]+-[a-z]+-\d{2}$/);
      expect(parseRoute(roomPath(slug))).toEqual({ name: "room", roomId: slug });
    }
  });
});
