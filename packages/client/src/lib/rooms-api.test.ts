import { describe, expect, it } from "vitest";
import type { CreateRoomResult } from "@tokencast/protocol";
import { RoomsApi, absoluteLink, invitePath, transcriptPath } from "./rooms-api.ts";
import type { Fetch } from "./rooms-api.ts";

function fakeFetch(status: number, body: unknown, calls: Array<{ url: string; init?: RequestInit }> = []): Fetch {
  return async (url, init) => {
    calls.push({ url, init });
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { "content-type": "application/json" } });
  };
}

describe("RoomsApi", () => {
  it("creates a room with a JSON POST", async () => {
    const result = { room: { id: "talk-x1" }, links: { share: "/r/talk-x1" }, ownerKey: "o", presenterKey: "p" };
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const api = new RoomsApi("http://h", fakeFetch(201, { ok: true, ...result }, calls));
    const created: CreateRoomResult = await api.create({ title: "Talk", mode: "presentation" });
    expect(created).toMatchObject(result);
    expect(calls[0]?.url).toBe("http://h/api/rooms");
    expect(calls[0]?.init).toMatchObject({ method: "POST", headers: { "content-type": "application/json" } });
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ title: "Talk", mode: "presentation" });
  });

  it("turns a refusal into a RequestError with the server's code and message", async () => {
    const api = new RoomsApi(
      "",
      fakeFetch(400, { ok: false, error: { code: "invalid_payload", message: "title is empty" } }),
    );
    await expect(api.create({ title: "" })).rejects.toMatchObject({
      code: "invalid_payload",
      message: "title is empty",
    });
    const html = new RoomsApi("", fakeFetch(502, "<html>bad gateway</html>"));
    await expect(html.create({ title: "x" })).rejects.toMatchObject({
      code: "internal_error",
      message: "The server answered 502.",
    });
    const down = new RoomsApi("", async () => {
      throw new TypeError("fetch failed");
    });
    await expect(down.create({ title: "x" })).rejects.toMatchObject({ code: "internal_error", clientSide: true });
  });

  it("reads a room, and says undefined for one never created", async () => {
    const found = new RoomsApi("", fakeFetch(200, { ok: true, room: { id: "a" }, memberCount: 3 }));
    expect(await found.get("a")).toMatchObject({ room: { id: "a" }, memberCount: 3 });
    const missing = new RoomsApi(
      "",
      fakeFetch(404, { ok: false, error: { code: "not_found", message: "No such room." } }),
    );
    expect(await missing.get("a")).toBeUndefined();
  });
});

describe("credentials", () => {
  it("sends a token as a bearer token and a key as X-Room-Key, never in the URL", async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const api = new RoomsApi("", fakeFetch(200, { ok: true, room: { id: "a" }, memberCount: 1 }, calls));
    await api.get("a", { token: "t.o.k", key: "k3y" });
    await api.transcript("a", "md", { token: "t.o.k" });
    expect(calls.map((c) => c.url)).toEqual(["/api/rooms/a", "/api/rooms/a/transcript?format=md"]);
    expect(calls[0]?.init?.headers).toEqual({ authorization: "Bearer t.o.k", "x-room-key": "k3y" });
    expect(calls[1]?.init?.headers).toEqual({ authorization: "Bearer t.o.k" });
  });

  it("names the transcript file after the room, and turns a refusal into a RequestError", async () => {
    const ok = new RoomsApi("", fakeFetch(200, "# Talk"));
    const file = await ok.transcript("talk-x1", "md");
    expect(file.filename).toBe("talk-x1.md");
    expect(await file.blob.text()).toBe("# Talk");
    const refused = new RoomsApi(
      "",
      fakeFetch(403, { ok: false, error: { code: "forbidden", message: "This room is private." } }),
    );
    await expect(refused.transcript("talk-x1", "json")).rejects.toMatchObject({
      code: "forbidden",
      message: "This room is private.",
    });
  });
});

describe("links", () => {
  it("builds transcript and absolute links", () => {
    expect(transcriptPath("talk-x1", "md")).toBe("/api/rooms/talk-x1/transcript?format=md");
    expect(absoluteLink("/r/t#key=abc", "https://chat.example")).toBe("https://chat.example/r/t#key=abc");
  });
});

describe("invitations", () => {
  it("mints a token with the key in X-Room-Key and builds the #token= link", async () => {
    const calls: Array<{ url: string; init?: RequestInit }> = [];
    const api = new RoomsApi("http://h", fakeFetch(201, { ok: true, token: "a.b.c", expiresAt: 5 }, calls));
    expect(await api.mintToken("room 1", { key: "owner-key" }, { role: "viewer" })).toMatchObject({
      token: "a.b.c",
      expiresAt: 5,
    });
    expect(calls[0]?.url).toBe("http://h/api/rooms/room%201/tokens");
    expect(calls[0]?.init).toMatchObject({ method: "POST", headers: { "x-room-key": "owner-key" } });
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({ role: "viewer" });
    expect(invitePath("room-1", "a.b.c")).toBe("/r/room-1#token=a.b.c");
  });

  it("passes a refusal on (a server without TOKEN_SECRET)", async () => {
    const api = new RoomsApi(
      "",
      fakeFetch(403, { ok: false, error: { code: "forbidden", message: "This server issues no tokens." } }),
    );
    await expect(api.mintToken("r", { key: "k" }, { role: "participant" })).rejects.toMatchObject({
      code: "forbidden",
    });
  });
});
