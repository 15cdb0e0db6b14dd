/**
 * The HTTP edge as a stranger spells it, on one real node with small budgets and a CORS
 * allowlist: every /api route spelled with odd case, a trailing slash, `//`, `/./` or
 * percent-encoded letters either misses (404 JSON) or is counted against the same budget and
 * carries the same CORS decision as its canonical spelling; the embed script's CORS holds for
 * every spelling that serves it; and no error answer (bad URI escapes, bad bodies, odd
 * Socket.IO requests) shows a stack, a path or an internal error name.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom } from "./helpers/rooms-http.ts";
import { jsonOf, rawRequest, type RawReply } from "./helpers/raw-http.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";

const ALLOWED = "https://blog.example";
const OTHER = "https://evil.example";
/** RATE_HTTP_PER_IP × RATE_WINDOW_SECONDS: the requests one IP may make in a window. */
const HTTP_BUDGET = 30;
const ROOMS_PER_HOUR = 2;

let node: ServerNode;
let clientDir: string;
let roomId: string;
let ipCounter = 0;

beforeAll(async () => {
  clientDir = fakeClientBuild();
  node = await startNode({
    CLIENT_DIR: clientDir,
    CORS_ORIGINS: ALLOWED,
    TRUST_PROXY: "1",
    RATE_HTTP_PER_IP: "1",
    RATE_WINDOW_SECONDS: String(HTTP_BUDGET),
    ROOMS_PER_IP_PER_HOUR: String(ROOMS_PER_HOUR),
  });
  roomId = (await createRoom(node.url, { title: "Spelling" })).room.id;
});

afterAll(async () => {
  await node?.stop();
  rmSync(clientDir, { recursive: true, force: true });
});

/** A built client as far as the server cares: the app page and the embed script. */
function fakeClientBuild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tc-client-"));
  mkdirSync(path.join(dir, "embed"));
  writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Tokencast</title>");
  writeFileSync(path.join(dir, "embed", "streaming-chat.js"), "export {};\n");
  return dir;
}

/** A client IP of its own (X-Forwarded-For, believed behind TRUST_PROXY=1): a fresh budget. */
function freshIp(): string {
  ipCounter++;
  return `198.51.100.${ipCounter}`;
}

/** `/api/<rest>` spelled every way a router or a file server might still take for it. */
function spellings(canonical: string): string[] {
  const rest = canonical.slice("/api/".length);
  const segments = rest.split("/");
  const last = segments.at(-1)!;
  const withLast = (spelled: string) => `/api/${[...segments.slice(0, -1), spelled].join("/")}`;
  return [
    `/API/${rest}`,
    `/Api/${rest}`,
    `/api/${rest.charAt(0).toUpperCase()}${rest.slice(1)}`,
    withLast(last.toUpperCase()),
    `${canonical}/`,
    `/${canonical}`,
    `/api//${rest}`,
    `/./api/${rest}`,
    `/api/./${rest}`,
    `/%61pi/${rest}`,
    `/api/%${rest.charCodeAt(0).toString(16)}${rest.slice(1)}`,
    `/api/%${rest.charCodeAt(0).toString(16).toUpperCase()}${rest.slice(1)}`,
    withLast(`%${last.charCodeAt(0).toString(16)}${last.slice(1)}`),
  ];
}

interface Route {
  method: string;
  path: () => string;
  body?: string;
}

const routes: Route[] = [
  { method: "POST", path: () => "/api/rooms", body: JSON.stringify({ title: "Odd" }) },
  { method: "GET", path: () => `/api/rooms/${roomId}` },
  { method: "GET", path: () => `/api/rooms/${roomId}/transcript` },
  { method: "POST", path: () => `/api/rooms/${roomId}/tokens`, body: JSON.stringify({ role: "viewer" }) },
  { method: "POST", path: () => `/api/rooms/${roomId}/tokens/revoke` },
  { method: "GET", path: () => `/api/rooms/${roomId}/events` },
];

function send(route: Route, spelled: string, ip: string, origin?: string): Promise<RawReply> {
  const headers: Record<string, string> = { "x-forwarded-for": ip, "content-type": "application/json" };
  if (origin !== undefined) headers.origin = origin;
  return rawRequest(node.url, spelled, {
    method: route.method,
    headers,
    ...(route.body !== undefined ? { body: route.body } : {}),
  });
}

/** A miss: no route took it (the room exists, so a route's own 404 cannot be the answer). */
function isMiss(reply: RawReply): boolean {
  return (
    reply.status === 404 && (jsonOf(reply) as { error?: { code?: string } } | undefined)?.error?.code === "not_found"
  );
}

const describeReply = (spelled: string, reply: RawReply) => `${spelled} → ${reply.status} ${reply.body.slice(0, 120)}`;

describe("rate limits hold for every spelling", () => {
  it.each(
    routes.map((route) => [`${route.method} ${route.path().replace(/rooms\/[^/]+/, "rooms/:id")}`, route] as const),
  )(
    "%s, once the IP's budget is spent, is refused (429) or missed (404) however it is spelled",
    async (_name, route) => {
      const ip = freshIp();
      for (let i = 0; i < HTTP_BUDGET; i++)
        await rawRequest(node.url, "/api/rooms/no-such-room", { headers: { "x-forwarded-for": ip } });
      expect((await send(route, route.path(), ip)).status).toBe(429);
      for (const spelled of spellings(route.path())) {
        const reply = await send(route, spelled, ip);
        expect(reply.status === 429 || isMiss(reply), describeReply(spelled, reply)).toBe(true);
      }
    },
  );

  it("room creation through any spelling counts against ROOMS_PER_IP_PER_HOUR", async () => {
    const ip = freshIp();
    const create = routes[0]!;
    const replies: Array<[string, RawReply]> = [];
    for (const spelled of [...spellings("/api/rooms"), "/api/rooms", "/api/rooms", "/api/rooms"])
      replies.push([spelled, await send(create, spelled, ip)]);
    for (const [spelled, reply] of replies)
      expect([201, 429].includes(reply.status) || isMiss(reply), describeReply(spelled, reply)).toBe(true);
    const created = replies.filter(([, reply]) => reply.status === 201).map(([spelled]) => spelled);
    expect(created.length, `created through ${created.join(", ")}`).toBe(ROOMS_PER_HOUR);
  });
});

describe("CORS holds for every spelling", () => {
  it.each(
    routes.map((route) => [`${route.method} ${route.path().replace(/rooms\/[^/]+/, "rooms/:id")}`, route] as const),
  )(
    "%s: an allowed origin gets the same Access-Control-Allow-Origin on every spelling served; another never does",
    async (_name, route) => {
      const allowedIp = freshIp();
      const otherIp = freshIp();
      for (const spelled of [route.path(), ...spellings(route.path())]) {
        const allowed = await send(route, spelled, allowedIp, ALLOWED);
        if (!isMiss(allowed))
          expect(allowed.headers["access-control-allow-origin"], describeReply(spelled, allowed)).toBe(ALLOWED);
        const other = await send(route, spelled, otherIp, OTHER);
        expect(other.headers["access-control-allow-origin"], describeReply(spelled, other)).toBeUndefined();
      }
    },
  );

  it("preflights: an allowed origin's is answered with CORS headers or missed; another's never gets them", async () => {
    const ip = freshIp();
    const preflight = { method: "OPTIONS", path: () => "/api/rooms" };
    const headers = (origin: string) => ({
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
      "x-forwarded-for": ip,
    });
    for (const spelled of ["/api/rooms", ...spellings("/api/rooms")]) {
      const allowed = await rawRequest(node.url, spelled, { method: preflight.method, headers: headers(ALLOWED) });
      if (!isMiss(allowed)) {
        expect(allowed.status, describeReply(spelled, allowed)).toBe(204);
        expect(allowed.headers["access-control-allow-origin"], describeReply(spelled, allowed)).toBe(ALLOWED);
      }
      const other = await rawRequest(node.url, spelled, { method: preflight.method, headers: headers(OTHER) });
      expect(other.headers["access-control-allow-origin"], describeReply(spelled, other)).toBeUndefined();
    }
  });

  it("the embed script: every spelling that serves it carries the allowlist's decision and may be loaded cross-origin", async () => {
    const canonical = "/embed/streaming-chat.js";
    const odd = [
      "/EMBED/streaming-chat.js",
      "/embed/Streaming-chat.js",
      "/embed//streaming-chat.js",
      "//embed/streaming-chat.js",
      "/./embed/streaming-chat.js",
      "/embed/./streaming-chat.js",
      "/x/../embed/streaming-chat.js",
      "/%65mbed/streaming-chat.js",
      "/embed/%73treaming-chat.js",
      "/embed%2Fstreaming-chat.js",
      "/embed/streaming-chat.js/",
    ];
    for (const spelled of [canonical, ...odd]) {
      const allowed = await rawRequest(node.url, spelled, { headers: { origin: ALLOWED } });
      if (spelled === canonical) expect(allowed.status).toBe(200);
      if (allowed.status === 200) {
        expect(allowed.headers["access-control-allow-origin"], spelled).toBe(ALLOWED);
        expect(allowed.headers["cross-origin-resource-policy"], spelled).toBe("cross-origin");
      } else expect(allowed.status, describeReply(spelled, allowed)).toBe(404);
      const other = await rawRequest(node.url, spelled, { headers: { origin: OTHER } });
      expect(other.headers["access-control-allow-origin"], spelled).toBeUndefined();
    }
  });
});

describe("paths a proxy guards exactly", () => {
  it("/metrics answers only as spelled: deploy/nginx.conf's `location = /metrics` deny covers no other route to it", async () => {
    expect((await rawRequest(node.url, "/metrics")).status).toBe(200);
    for (const spelled of ["/metrics/", "/METRICS", "/Metrics", "/metrics//"]) {
      const reply = await rawRequest(node.url, spelled);
      expect(reply.status, describeReply(spelled, reply)).toBe(404);
      expect(reply.body).not.toContain("# HELP");
    }
  });
});

/** Signs that an answer shows the server's insides: stack frames, file paths, error class names. */
function leaks(body: string): string[] {
  const signs: Array<[string, RegExp]> = [
    ["a stack frame", /^\s*at\s|\bat \S+ \(|\bat (file|node):/m],
    ["a file path", /\/work\/|node_modules|file:\/\/|\/home\/|\/usr\/|\/tmp\//],
    ["an error name", /\b[A-Z]\w*Error\b|Error:/],
    ["an HTML page", /<html|<pre|<!DOCTYPE/i],
  ];
  return signs.filter(([, pattern]) => pattern.test(body)).map(([name]) => name);
}

describe("errors tell strangers nothing about the server", () => {
  const apiCases: Array<
    [string, string, { method?: string; body?: string | Buffer; headers?: Record<string, string> }]
  > = [
    ["a malformed escape in a room id", "/api/rooms/%E0%A4%A", {}],
    ["a malformed escape in the events route", "/api/rooms/%E0%A4%A/events", {}],
    ["a malformed escape in the transcript route", "/api/rooms/%E0%A4%A/transcript", {}],
    ["a malformed escape in a token route", "/api/rooms/%E0%A4%A/tokens", { method: "POST", body: "{}" }],
    ["a malformed escape in the query", "/api/rooms/x?format=%E0%A4%A&token=%", {}],
    ["a body that is not JSON", "/api/rooms", { method: "POST", body: '{"title": "x",' }],
    ["a body of the wrong type", "/api/rooms", { method: "POST", body: "[1,2,3]" }],
    ["a huge body", "/api/rooms", { method: "POST", body: Buffer.alloc(2 * 1024 * 1024, "a") }],
    [
      "an unknown charset",
      "/api/rooms",
      { method: "POST", body: "{}", headers: { "content-type": "application/json; charset=x-unknown" } },
    ],
    [
      "a body claiming gzip",
      "/api/rooms",
      { method: "POST", body: "not gzip", headers: { "content-encoding": "gzip" } },
    ],
    ["an unknown route", "/api/nothing/here", {}],
  ];

  it.each(apiCases)("/api: %s → JSON error with a code, nothing inside shown", async (_name, path, init) => {
    const headers = { "x-forwarded-for": freshIp(), "content-type": "application/json", ...init.headers };
    const reply = await rawRequest(node.url, path, {
      method: init.method ?? "GET",
      headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    expect(leaks(reply.body), describeReply(path, reply)).toEqual([]);
    expect(reply.status, describeReply(path, reply)).toBeLessThan(500);
    expect(String(reply.headers["content-type"]), describeReply(path, reply)).toMatch(/application\/json/);
    expect(jsonOf(reply), describeReply(path, reply)).toMatchObject({
      ok: false,
      error: { code: expect.any(String), message: expect.any(String) },
    });
  });

  it("a malformed escape in a room id is 400 invalid_payload", async () => {
    const reply = await rawRequest(node.url, "/api/rooms/%E0%A4%A", { headers: { "x-forwarded-for": freshIp() } });
    expect(reply.status).toBe(400);
    expect(jsonOf(reply)).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
  });

  it.each(["/r/%E0%A4%A", "/%E0%A4%A", "/embed/%E0%A4%A", "/%E0%A4%A/x", "/r/%", "/healthz/%E0%A4%A"])(
    "pages: %s → a short answer without the server's insides",
    async (path) => {
      const reply = await rawRequest(node.url, path);
      expect(leaks(reply.body), describeReply(path, reply)).toEqual([]);
      expect(reply.status, describeReply(path, reply)).toBeLessThan(500);
      expect(reply.body.length).toBeLessThan(300);
    },
  );

  const socketCases: Array<[string, string, { method?: string; body?: string; headers?: Record<string, string> }]> = [
    ["an unknown transport", "/socket.io/?EIO=4&transport=bogus", {}],
    ["an unknown protocol version", "/socket.io/?EIO=9&transport=polling", {}],
    ["an unknown session id", "/socket.io/?EIO=4&transport=polling&sid=bogus", {}],
    ["a malformed escape in the session id", "/socket.io/?EIO=4&transport=polling&sid=%E0%A4%A", {}],
    ["a malformed query", "/socket.io/?%E0%A4%A=%&EIO=4&transport=bogus", {}],
    ["a malformed escape in the path", "/socket.io/%E0%A4%A", {}],
    ["a websocket transport without an upgrade", "/socket.io/?EIO=4&transport=websocket", {}],
    [
      "garbage posted without a session",
      "/socket.io/?EIO=4&transport=polling",
      { method: "POST", body: "\u0000garbage" },
    ],
    [
      "garbage posted to an unknown session",
      "/socket.io/?EIO=4&transport=polling&sid=bogus",
      { method: "POST", body: "\u0000garbage" },
    ],
    ["an unknown method", "/socket.io/?EIO=4&transport=polling", { method: "PUT", body: "x" }],
  ];

  it.each(socketCases)("Socket.IO: %s → a JSON error without the server's insides", async (_name, path, init) => {
    const reply = await rawRequest(node.url, path, {
      method: init.method ?? "GET",
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.headers ? { headers: init.headers } : {}),
    });
    expect(leaks(reply.body), describeReply(path, reply)).toEqual([]);
    expect(reply.status, describeReply(path, reply)).toBeGreaterThanOrEqual(400);
    expect(reply.status, describeReply(path, reply)).toBeLessThan(500);
    expect(jsonOf(reply), describeReply(path, reply)).toMatchObject({ message: expect.any(String) });
  });

  const upgrade = (key?: string) => ({
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    ...(key ? { "sec-websocket-key": key } : {}),
  });
  const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  it.each([
    ["without a key", "/socket.io/?EIO=4&transport=websocket", upgrade()],
    ["for an unknown transport", "/socket.io/?EIO=4&transport=bogus", upgrade(KEY)],
    ["for an unknown session", "/socket.io/?EIO=4&transport=websocket&sid=bogus", upgrade(KEY)],
    ["with a malformed escape", "/socket.io/%E0%A4%A?EIO=4&transport=websocket&sid=%E0%A4%A", upgrade(KEY)],
  ])(
    // engine.io and ws refuse upgrades with a short text (a WebSocket client never reads it): no insides either.
    "Socket.IO: a WebSocket upgrade %s is refused with a short answer without the server's insides",
    async (_name, path, headers) => {
      const reply = await rawRequest(node.url, path, { headers });
      expect(leaks(reply.body), describeReply(path, reply)).toEqual([]);
      expect(reply.status, describeReply(path, reply)).toBe(400);
      expect(reply.body.length).toBeLessThan(200);
    },
  );

  it("Socket.IO: garbage and an oversized body posted to a live session get no insides either", async () => {
    const handshake = await rawRequest(node.url, "/socket.io/?EIO=4&transport=polling");
    const sid = (JSON.parse(handshake.body.slice(1)) as { sid: string }).sid;
    const post = (body: string) =>
      rawRequest(node.url, `/socket.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", body });
    for (const reply of [await post("9\u001e\u0000{not a packet"), await post("4".repeat(512 * 1024))]) {
      expect(leaks(reply.body), reply.body.slice(0, 200)).toEqual([]);
    }
  });

  it("the node is still up and logged the failures it did not expect, with their errors", async () => {
    expect((await rawRequest(node.url, "/healthz")).status).toBe(200);
    expect(node.exitCode).toBeUndefined();
    expect(problems(node).filter((line) => !line.includes('"err"'))).toEqual([]);
  });
});
