/**
 * Access control on one real node started with TOKEN_SECRET and a CORS allowlist: signed room
 * tokens on room:join (role, name, expiry, forgery), private rooms over Socket.IO, SSE and the
 * rooms API, minting permissions, withdrawing invitations, CORS for HTTP and the Socket.IO
 * handshake, helmet's headers.
 */
import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import type { CreateRoomResult } from "@tokencast/protocol";
import { createRoom, postRooms, request } from "./helpers/rooms-http.ts";
import { openSse } from "./helpers/sse-client.ts";
import { startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { waitFor } from "./helpers/wait.ts";

const SECRET = "test-secret-of-at-least-thirty-two-characters";
const ALLOWED_ORIGIN = "https://allowed.example";
const OTHER_ORIGIN = "https://evil.example";

let node: ServerNode;
const sockets = new Set<Socket>();

beforeAll(async () => {
  node = await startNode({ TOKEN_SECRET: SECRET, CORS_ORIGINS: `${ALLOWED_ORIGIN}, http://127.0.0.1` });
});

afterEach(() => {
  for (const socket of sockets) socket.close();
  sockets.clear();
});

afterAll(async () => {
  await node?.stop();
});

// ---------- helpers ----------

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT signed here: any header, claims and secret (for forgeries the server must refuse). */
function jwt(
  claims: Record<string, unknown>,
  { secret = SECRET, alg = "HS256" }: { secret?: string; alg?: string } = {},
): string {
  const body = `${b64({ alg, typ: "JWT" })}.${b64(claims)}`;
  if (alg === "none") return `${body}.`;
  const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[alg] ?? "sha256";
  return `${body}.${createHmac(hash, secret).update(body).digest("base64url")}`;
}

const inSeconds = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

async function connect(): Promise<Socket> {
  const socket = io(node.url, { transports: ["websocket"], reconnection: false, forceNew: true });
  sockets.add(socket);
  await waitFor(() => socket.connected, { timeoutMs: 15_000, what: "socket to connect" });
  return socket;
}

type Ack = { ok: boolean; error?: { code: string }; [field: string]: unknown };

async function join(payload: Record<string, unknown>): Promise<{ ack: Ack; socket: Socket }> {
  const socket = await connect();
  const ack = (await socket.timeout(10_000).emitWithAck("room:join", { name: "Guest", ...payload })) as Ack;
  return { ack, socket };
}

async function mint(roomId: string, body: unknown, headers: Record<string, string>) {
  return request(`${node.url}/api/rooms/${roomId}/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function mintedToken(room: CreateRoomResult, body: Record<string, unknown>): Promise<string> {
  const reply = await mint(room.room.id, body, { "X-Room-Key": room.ownerKey });
  expect(reply.status, reply.text).toBe(201);
  return (reply.json as { token: string }).token;
}

/** Expects a refusal carrying nothing but the error. */
function expectRefused(ack: Ack, code: string): void {
  expect(ack).toEqual({ ok: false, error: expect.objectContaining({ code }) });
}

// ---------- tests ----------

describe("room tokens on room:join", () => {
  it("a minted token joins with its role and name, overriding the payload's", async () => {
    const room = await createRoom(node.url, { title: "Tokens" });
    const token = await mintedToken(room, { role: "presenter", name: "Dr Token" });
    const { ack } = await join({ roomId: room.room.id, token, role: "viewer", name: "Someone else" });
    expect(ack.ok).toBe(true);
    expect(ack.self).toMatchObject({ role: "presenter", name: "Dr Token" });
  });

  it("an expired token gets token_expired and no room data", async () => {
    const room = await createRoom(node.url, { title: "Expired" });
    const token = jwt({ room: room.room.id, role: "viewer", exp: inSeconds(-60), iat: inSeconds(-120) });
    expectRefused((await join({ roomId: room.room.id, token })).ack, "token_expired");
  });

  it.each([
    [
      "signed with another secret",
      (id: string) =>
        jwt({ room: id, role: "owner", exp: inSeconds(600) }, { secret: "another-secret-another-secret-another" }),
    ],
    ["for another room", () => jwt({ room: "some-other-room", role: "owner", exp: inSeconds(600) })],
    ["with alg none", (id: string) => jwt({ room: id, role: "owner", exp: inSeconds(600) }, { alg: "none" })],
    ["with alg HS512", (id: string) => jwt({ room: id, role: "owner", exp: inSeconds(600) }, { alg: "HS512" })],
    ["without exp", (id: string) => jwt({ room: id, role: "owner" })],
    ["not yet valid (nbf)", (id: string) => jwt({ room: id, role: "owner", exp: inSeconds(600), nbf: inSeconds(300) })],
    ["with an unknown role", (id: string) => jwt({ room: id, role: "admin", exp: inSeconds(600) })],
    ["garbage", () => "not.a.jwt"],
  ])("a token %s is refused (forbidden) with no room data", async (_what, make) => {
    const room = await createRoom(node.url, { title: "Forged" });
    expectRefused((await join({ roomId: room.room.id, token: make(room.room.id) })).ack, "forbidden");
  });
});

describe("private rooms", () => {
  let room: CreateRoomResult;
  beforeAll(async () => {
    room = await createRoom(node.url, { title: "Secret meeting", private: true });
  });

  it("refuses a join without credentials, and the refused socket sees none of the room's events", async () => {
    const { ack, socket } = await join({ roomId: room.room.id });
    expectRefused(ack, "forbidden");
    const seen: string[] = [];
    socket.onAny((event: string) => seen.push(event));
    const owner = await join({ roomId: room.room.id, key: room.ownerKey, name: "Owner" });
    expect(owner.ack.ok).toBe(true);
    const typing = await owner.socket
      .timeout(10_000)
      .emitWithAck("room:typing", { roomId: room.room.id, typing: true });
    expect(typing).toMatchObject({ ok: true });
    const watcher = await join({ roomId: room.room.id, key: room.presenterKey, name: "Watcher" });
    expect(watcher.ack.ok).toBe(true);
    expect(seen).toEqual([]);
  });

  it("admits the owner key, the presenter key and a valid token", async () => {
    expect((await join({ roomId: room.room.id, key: room.ownerKey })).ack.self).toMatchObject({ role: "owner" });
    expect((await join({ roomId: room.room.id, key: room.presenterKey })).ack.self).toMatchObject({
      role: "presenter",
    });
    const token = await mintedToken(room, { role: "viewer" });
    expect((await join({ roomId: room.room.id, token })).ack.self).toMatchObject({ role: "viewer" });
  });

  it("GET /api/rooms/:id and the transcript need a token or key", async () => {
    const token = await mintedToken(room, { role: "viewer" });
    for (const path of [`/api/rooms/${room.room.id}`, `/api/rooms/${room.room.id}/transcript`]) {
      const bare = await request(`${node.url}${path}`);
      expect(bare.status).toBe(403);
      expect(bare.text).not.toContain("Secret meeting");
      expect((await request(`${node.url}${path}`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await request(`${node.url}${path}${path.includes("?") ? "&" : "?"}token=${token}`)).status).toBe(200);
      expect((await request(`${node.url}${path}`, { headers: { "X-Room-Key": room.ownerKey } })).status).toBe(200);
    }
  });

  it("SSE: 403 JSON and no event without a token; a stream with ?token= or a bearer token", async () => {
    const url = `${node.url}/api/rooms/${room.room.id}/events`;
    const refused = await openSse(url);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(refused.events).toEqual([]);
    const token = await mintedToken(room, { role: "viewer" });
    for (const stream of [
      await openSse(`${url}?token=${token}`),
      await openSse(url, { headers: { Authorization: `Bearer ${token}` } }),
    ]) {
      expect(stream.status).toBe(200);
      await stream.until((s) => s.retry !== undefined, "the stream to open", 15_000);
      stream.close();
    }
  });
});

describe("POST /api/rooms/:id/tokens", () => {
  let room: CreateRoomResult;
  beforeAll(async () => {
    room = await createRoom(node.url, { title: "Minting" });
  });

  it("the owner key mints any role, with an expiry within the ttl", async () => {
    for (const role of ["owner", "presenter", "participant", "viewer"]) {
      const reply = await mint(room.room.id, { role, ttlSeconds: 120 }, { "X-Room-Key": room.ownerKey });
      expect(reply.status).toBe(201);
      const { expiresAt } = reply.json as { expiresAt: number };
      expect(expiresAt).toBeGreaterThan(Date.now() + 100_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 121_000);
    }
  });

  it("a presenter mints only participant and viewer tokens; a viewer token or no credentials mint nothing", async () => {
    const presenter = { "X-Room-Key": room.presenterKey };
    expect((await mint(room.room.id, { role: "viewer" }, presenter)).status).toBe(201);
    expect((await mint(room.room.id, { role: "participant" }, presenter)).status).toBe(201);
    expect((await mint(room.room.id, { role: "presenter" }, presenter)).status).toBe(403);
    expect((await mint(room.room.id, { role: "owner" }, presenter)).status).toBe(403);
    const viewerToken = await mintedToken(room, { role: "viewer" });
    expect((await mint(room.room.id, { role: "viewer" }, { Authorization: `Bearer ${viewerToken}` })).status).toBe(403);
    expect((await mint(room.room.id, { role: "viewer" }, {})).status).toBe(403);
    const ownerToken = await mintedToken(room, { role: "owner" });
    expect((await mint(room.room.id, { role: "presenter" }, { Authorization: `Bearer ${ownerToken}` })).status).toBe(
      201,
    );
  });

  it("refuses a ttl beyond 30 days", async () => {
    const reply = await mint(
      room.room.id,
      { role: "viewer", ttlSeconds: 31 * 24 * 3600 },
      { "X-Room-Key": room.ownerKey },
    );
    expect(reply.status).toBe(400);
  });
});

describe("withdrawing invitations (POST /api/rooms/:id/tokens/revoke)", () => {
  const revoke = (roomId: string, headers: Record<string, string>) =>
    request(`${node.url}/api/rooms/${roomId}/tokens/revoke`, { method: "POST", headers });

  it("only the owner may; tokens minted before are refused, members who joined with one are dropped, new ones work", async () => {
    const room = await createRoom(node.url, { title: "Leaky", private: true });
    const roomId = room.room.id;
    const leaked = await mintedToken(room, { role: "participant" });
    const guest = await join({ roomId, token: leaked, name: "Leaker" });
    expect(guest.ack.ok).toBe(true);
    const owner = await join({ roomId, key: room.ownerKey, name: "Owner" });
    let guestDropped = false;
    guest.socket.on("disconnect", () => (guestDropped = true));

    expect((await revoke(roomId, { "X-Room-Key": room.presenterKey })).status).toBe(403);
    expect((await revoke(roomId, { Authorization: `Bearer ${leaked}` })).status).toBe(403);
    expect(guest.socket.connected).toBe(true);

    const revoked = await revoke(roomId, { "X-Room-Key": room.ownerKey });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toEqual({ ok: true, dropped: 1 });
    await waitFor(() => guestDropped, { what: "the withdrawn invitation's member to be dropped" });
    expect(owner.socket.connected).toBe(true); // joined with a key: stays

    const again = await join({ roomId, token: leaked });
    expect(again.ack).toEqual({
      ok: false,
      error: expect.objectContaining({ code: "forbidden", message: expect.stringMatching(/withdrawn/) }),
    });
    expect(
      (await request(`${node.url}/api/rooms/${roomId}`, { headers: { Authorization: `Bearer ${leaked}` } })).status,
    ).toBe(403);
    const sse = await openSse(`${node.url}/api/rooms/${roomId}/events?token=${leaked}`);
    expect(sse.status).toBe(403);

    const fresh = await mintedToken(room, { role: "viewer" });
    expect((await join({ roomId, token: fresh })).ack.self).toMatchObject({ role: "viewer" });
    // A token forged with the right secret but an old generation (or none) is withdrawn too.
    expect((await join({ roomId, token: jwt({ room: roomId, role: "viewer", exp: inSeconds(60) }) })).ack.ok).toBe(
      false,
    );
  });
});

describe("CORS and security headers", () => {
  it("an allowed origin gets Access-Control-Allow-Origin on the API, preflight included; another gets none", async () => {
    const allowed = await fetch(`${node.url}/api/rooms/none-such`, { headers: { Origin: ALLOWED_ORIGIN } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
    const preflight = await fetch(`${node.url}/api/rooms`, {
      method: "OPTIONS",
      headers: {
        Origin: ALLOWED_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/content-type/i);
    const other = await fetch(`${node.url}/api/rooms/none-such`, { headers: { Origin: OTHER_ORIGIN } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a Socket.IO handshake from a disallowed origin is refused; an allowed one connects", async () => {
    const handshake = (origin: string) =>
      fetch(`${node.url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: origin } });
    const refused = await handshake(OTHER_ORIGIN);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const accepted = await handshake(ALLOWED_ORIGIN);
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get("access-control-allow-origin")).toBe(ALLOWED_ORIGIN);
  });

  it("helmet's headers are on pages and API answers, and the embed script may be loaded cross-origin", async () => {
    for (const path of ["/", "/api/rooms/none-such", "/healthz"]) {
      const reply = await fetch(`${node.url}${path}`);
      expect(reply.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(reply.headers.get("content-security-policy"), path).toContain("script-src 'self'");
    }
    // Sockets may go to this host only, not to any ws:/wss: host.
    const page = await fetch(`${node.url}/`);
    const connectSrc = /connect-src ([^;]*)/.exec(page.headers.get("content-security-policy") ?? "")?.[1];
    const host = new URL(node.url).host;
    expect(connectSrc).toBe(`'self' ws://${host} wss://${host}`);
    // Served over plain http (a LAN address, no proxy), the page must not be told to upgrade to https.
    expect(page.headers.get("content-security-policy")).not.toContain("upgrade-insecure-requests");
    const embed = await fetch(`${node.url}/embed/streaming-chat.js`, { headers: { Origin: ALLOWED_ORIGIN } });
    expect(embed.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
  });
});

describe("without TOKEN_SECRET", () => {
  let plain: ServerNode;
  beforeAll(async () => {
    plain = await startNode({ TOKEN_SECRET: "" });
  });
  afterAll(async () => {
    await plain?.stop();
  });

  it("refuses tokens and private rooms with a clear forbidden", async () => {
    const reply = await postRooms(plain.url, { title: "Nope", private: true });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain("no tokens");
    const room = await createRoom(plain.url, { title: "Open" });
    const minted = await request(`${plain.url}/api/rooms/${room.room.id}/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Room-Key": room.ownerKey },
      body: JSON.stringify({ role: "viewer" }),
    });
    expect(minted.status).toBe(403);
    expect(minted.text).toContain("no tokens");
  });
});
