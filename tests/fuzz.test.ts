/**
 * Hostile input at a running node (a real child process): fast-check draws 10,000+ socket events
 * of every client event name and unknown ones, with valid, near-valid and malformed payloads, and
 * fires them over 24 connections at once. Every event sent with an ack function gets exactly one
 * ack (a named error, or ok for the rare valid one); the node never exits, logs no error, keeps
 * its memory and still serves a normal join and answer afterwards. Then 1,000 random
 * `POST /api/rooms` bodies: each a 4xx JSON refusal unless the body is valid (201), never a 5xx.
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoomSchema, ERROR_CODES, type ClientToServerEvents } from "@tokencast/protocol";
import { closeAllClients, ended, viewers } from "./helpers/clients.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { waitFor } from "./helpers/wait.ts";

const CONNECTIONS = 24;
const EVENTS = 10_400;
const IN_FLIGHT_PER_CONNECTION = 16;
const ACK_TIMEOUT_MS = 20_000;
const ROOM = "fuzz-room";
/** Socket.IO refuses (and disconnects) packets over 256 KiB; payloads stay under it. */
const MAX_PAYLOAD_BYTES = 200_000;
const RSS_GROWTH_BOUND = 100 * 1024 * 1024;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

/** Every client event: the compiler fails here if the wire contract gains one. */
const KNOWN: Record<keyof ClientToServerEvents, readonly string[]> = {
  "room:join": ["roomId", "name", "role", "key", "token", "clientId"],
  "room:leave": ["roomId"],
  "chat:send": ["roomId", "text", "shared"],
  "chat:stop": ["roomId", "messageId"],
  "chat:resume": ["roomId", "messageId", "afterSeq"],
  "room:history": ["roomId", "before", "limit"],
  "room:members": ["roomId", "after", "limit"],
  "room:update": ["roomId", "settings"],
  "room:typing": ["roomId", "typing"],
  "queue:submit": ["roomId", "text", "anonymous"],
  "queue:vote": ["roomId", "questionId"],
  "queue:unvote": ["roomId", "questionId"],
  "queue:edit": ["roomId", "questionId", "text"],
  "queue:withdraw": ["roomId", "questionId"],
  "queue:approve": ["roomId", "questionId"],
  "queue:restore": ["roomId", "questionId"],
  "room:join-code": ["roomId"],
  "queue:send": ["roomId", "questionId"],
  "queue:dismiss": ["roomId", "questionId"],
  "chat:regenerate": ["roomId", "messageId"],
  "chat:replay": ["roomId", "messageId"],
};
const UNKNOWN = [
  "chat:delete",
  "room:destroy",
  "admin",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "room:join ",
  "ROOM:JOIN",
  "",
  "x".repeat(300),
];

let node: ServerNode;

beforeAll(async () => {
  node = await startNode();
});

afterAll(async () => {
  closeAllClients();
  await node?.stop();
});

// ---------- arbitraries ----------

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  maxLength: 8,
});
const hostileStrings = fc.constantFrom(
  "",
  " ",
  "\n\t",
  ROOM,
  "__proto__",
  "constructor",
  "prototype",
  "\u0000",
  "\u202e\u2066",
  "<script>window.__xss=1</script>",
  "a".repeat(65),
  "😀".repeat(41),
);
/** One big string; its JSON stays under MAX_PAYLOAD_BYTES whatever the character (\ud800 is 6 bytes escaped). */
const hugeString = fc
  .tuple(fc.integer({ min: 1_000, max: MAX_PAYLOAD_BYTES - 2_000 }), fc.constantFrom("x", "é", "😀", "\ud800", " "))
  .map(([bytes, c]) => c.repeat(Math.floor(bytes / 6 / c.length)));
const text = fc.oneof(fc.string(), fc.string({ unit: "binary" }), loneSurrogates, hostileStrings, hugeString);
const oddNumbers = fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e308, -1, 0.5, Number.MAX_SAFE_INTEGER + 2);
const scalar = fc.oneof(text, fc.integer(), fc.double(), oddNumbers, fc.boolean(), fc.constant(null));
const deep = fc.integer({ min: 2, max: 1_000 }).map((depth) => {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
});
const polluting = fc
  .constantFrom(
    `{"__proto__":{"polluted":true},"roomId":"${ROOM}","text":"hi"}`,
    `{"constructor":{"prototype":{"polluted":true}},"roomId":"${ROOM}"}`,
    `{"roomId":"${ROOM}","settings":{"__proto__":{"private":true},"title":"t"}}`,
    `{"__proto__":null}`,
  )
  .map((json) => JSON.parse(json) as unknown);
const binary = fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes));
const anything = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: polluting },
  { weight: 1, arbitrary: binary },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 6 }) },
);

const roomId = fc.oneof(fc.constant(ROOM), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/));
const id = fc.oneof(fc.uuid(), fc.stringMatching(/^[\w-]{1,64}$/));
const VALIDISH: Record<string, fc.Arbitrary<unknown>> = {
  roomId,
  name: fc.oneof(fc.constant("Fuzzer"), fc.string({ minLength: 1, maxLength: 40 })),
  role: fc.constantFrom("participant", "viewer", "owner", "presenter"),
  key: fc.string({ minLength: 1, maxLength: 200 }),
  token: fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.constant("eyJhbGciOiJub25lIn0.eyJyb29tIjoiZnV6ei1yb29tIiwicm9sZSI6Im93bmVyIn0."),
  ),
  clientId: fc.stringMatching(/^[\w-]{8,64}$/),
  text: fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), hugeString),
  messageId: id,
  questionId: id,
  afterSeq: fc.integer({ min: 0, max: 1_000 }),
  before: id,
  /** `room:members` cursors: well-formed ones (a role rank, a join time, an id) and near misses. */
  after: fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 9 }), fc.nat(), id).map(([rank, at, memberId]) => `${rank}.${at}.${memberId}`),
    fc.string({ maxLength: 120 }),
  ),
  limit: fc.integer({ min: 0, max: 220 }),
  typing: fc.boolean(),
  anonymous: fc.boolean(),
  shared: fc.boolean(),
  settings: fc.record(
    {
      title: fc.string({ maxLength: 130 }),
      mode: fc.constantFrom("chat", "presentation", "x"),
      private: fc.boolean(),
      approveQuestions: fc.boolean(),
      whoMayPrompt: fc.string(),
    },
    { requiredKeys: [] },
  ),
};

/** The event's own fields, each valid-shaped or anything, any of them missing, maybe extra keys. */
function shapedPayload(event: string): fc.Arbitrary<unknown> {
  const fields = Object.hasOwn(KNOWN, event) ? KNOWN[event as keyof ClientToServerEvents] : ["roomId", "text"];
  const model = Object.fromEntries(
    fields.map((f) => [f, fc.oneof({ weight: 4, arbitrary: VALIDISH[f]! }, { weight: 1, arbitrary: anything })]),
  );
  const extra = fc.option(
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("__proto__", "constructor", "then")),
      anything,
      { maxKeys: 3 },
    ),
    { freq: 4 },
  );
  return fc
    .tuple(fc.record(model, { requiredKeys: fields.length > 0 ? [fields[0]!] : [] }), extra)
    .map(([p, e]) => ({ ...p, ...e }));
}

type AckStyle = "last" | "missing" | "not-last" | "extra-args-then-last";

interface Shot {
  event: string;
  payload: unknown;
  style: AckStyle;
}

const eventName = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...Object.keys(KNOWN)) },
  { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN) },
);
const shot: fc.Arbitrary<Shot> = eventName
  .chain((event) =>
    fc.record({
      event: fc.constant(event),
      payload: fc.oneof({ weight: 3, arbitrary: shapedPayload(event) }, { weight: 2, arbitrary: anything }),
      style: fc.constantFrom<AckStyle>("last", "last", "last", "last", "missing", "not-last", "extra-args-then-last"),
    }),
  )
  .filter((s) => approxBytes(s.payload) < MAX_PAYLOAD_BYTES);

function approxBytes(value: unknown): number {
  try {
    return Buffer.byteLength(
      JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? "b".repeat(v.length) : v)) ?? "",
    );
  } catch {
    // Too deep to stringify here: socket.io could not send it either.
    return Infinity;
  }
}

// ---------- firing ----------

interface Tally {
  sent: number;
  acked: number;
  doubleAcks: number;
  timeouts: number;
  badAcks: string[];
  codes: Map<string, number>;
  ok: number;
}

function connect(url: string): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

function checkAck(response: unknown, tally: Tally): void {
  const r = response as { ok?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
  if (r?.ok === true) {
    tally.ok++;
    return;
  }
  const code = r?.error?.code;
  if (
    r?.ok !== false ||
    typeof code !== "string" ||
    !(ERROR_CODES as readonly string[]).includes(code) ||
    typeof r?.error?.message !== "string"
  ) {
    tally.badAcks.push(JSON.stringify(response)?.slice(0, 200) ?? String(response));
    return;
  }
  tally.codes.set(code, (tally.codes.get(code) ?? 0) + 1);
}

/** Emits one shot; resolves when its ack came (or at once when it has none). */
function fire(socket: Socket, s: Shot, tally: Tally): Promise<void> {
  tally.sent++;
  if (s.style === "missing") {
    socket.emit(s.event, s.payload);
    return Promise.resolve();
  }
  if (s.style === "not-last") {
    // A function that is not last is no ack to Socket.IO: it is sent as null, nobody answers.
    socket.emit(s.event, () => tally.badAcks.push("an ack that was not last was called"), s.payload);
    return Promise.resolve();
  }
  const args = s.style === "extra-args-then-last" ? [s.payload, "extra", 42] : [s.payload];
  return new Promise((resolve) => {
    let calls = 0;
    socket.timeout(ACK_TIMEOUT_MS).emit(s.event, ...args, (error: Error | null, response: unknown) => {
      calls++;
      if (calls > 1) tally.doubleAcks++;
      else if (error) tally.timeouts++;
      else {
        tally.acked++;
        checkAck(response, tally);
      }
      resolve();
    });
  });
}

async function fireAll(socket: Socket, shots: Shot[], tally: Tally): Promise<void> {
  const pending = new Set<Promise<void>>();
  for (const s of shots) {
    const p = fire(socket, s, tally).finally(() => pending.delete(p));
    pending.add(p);
    if (pending.size >= IN_FLIGHT_PER_CONNECTION) await Promise.race(pending);
  }
  await Promise.all(pending);
}

function rssBytes(pid: number): number {
  return (
    Number(
      execFileSync("ps", ["-o", "rss=", "-p", String(pid)])
        .toString()
        .trim(),
    ) * 1024
  );
}

function expectedAcks(shots: Shot[]): number {
  return shots.filter((s) => s.style === "last" || s.style === "extra-args-then-last").length;
}

// ---------- tests ----------

describe("fuzzing the socket events", () => {
  it(`${EVENTS} random and malformed events over ${CONNECTIONS} connections: one ack each, a named error or ok; the node stays up and bounded`, async () => {
    const shots = fc.sample(shot, { numRuns: EVENTS, seed: SEED });
    const rssBefore = rssBytes(node.child.pid!);
    const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, () => connect(node.url)));
    let disconnects = 0;
    for (const socket of sockets) socket.on("disconnect", () => disconnects++);
    // Half the connections are members of ROOM, so valid-shaped events reach the room logic too.
    await Promise.all(
      sockets
        .slice(0, CONNECTIONS / 2)
        .map((s, i) => s.emitWithAck("room:join", { roomId: ROOM, name: `Fuzzer ${i}` })),
    );
    const tally: Tally = { sent: 0, acked: 0, doubleAcks: 0, timeouts: 0, badAcks: [], codes: new Map(), ok: 0 };
    const started = Date.now();
    await Promise.all(
      sockets.map((socket, i) =>
        fireAll(
          socket,
          shots.filter((_, j) => j % CONNECTIONS === i),
          tally,
        ),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    for (const socket of sockets) socket.close();

    const codes = Object.fromEntries([...tally.codes].sort((a, b) => b[1] - a[1]));
    const acks = `${tally.acked} acks (${tally.ok} ok) ${JSON.stringify(codes)}`;
    console.log(`fuzz seed ${SEED}: ${tally.sent} events in ${seconds.toFixed(1)} s; ${acks}`);
    expect(tally.sent).toBeGreaterThanOrEqual(10_000);
    expect(tally.badAcks).toEqual([]);
    expect(tally.codes.get("internal_error") ?? 0).toBe(0); // a handler that threw: a bug
    expect(tally.timeouts).toBe(0);
    expect(tally.doubleAcks).toBe(0);
    expect(tally.acked).toBe(expectedAcks(shots));
    expect(disconnects).toBe(CONNECTIONS); // only our own closes
    expect(tally.codes.get("invalid_payload")).toBeGreaterThan(1_000);
    expect(node.exitCode).toBeUndefined();

    const rssAfter = await waitFor(
      () => {
        const rss = rssBytes(node.child.pid!);
        return rss - rssBefore < RSS_GROWTH_BOUND ? rss : undefined;
      },
      { timeoutMs: 20_000, what: "the node's RSS to settle within +100 MB" },
    );
    console.log(
      `fuzz: node RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, ${(rssAfter / 2 ** 20).toFixed(0)} MiB after`,
    );
  }, 120_000);

  it("the node still serves a normal join and answer", async () => {
    const [a, b] = await viewers(node.url, "after-fuzz", 2);
    const { replyId } = await a!.send("still there?");
    const final = await ended(b!, replyId, 30_000);
    expect(final.status).toBe("done");
    expect(final.text.length).toBeGreaterThan(0);
  }, 60_000);

  it("logged no error, no unhandled rejection, no crash output", () => {
    expect(problems(node)).toEqual([]);
    expect(node.exitCode).toBeUndefined();
  });
});

/** Socket.IO frames no client library would send: broken JSON, lying attachment counts, deep arrays. */
const DEEP = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
const RAW_FRAMES: Array<string | Buffer> = [
  '42["room:join",',
  "42[]",
  "42[null]",
  "42[123,{}]",
  '42{"roomId":"x"}',
  '42["__proto__",{"roomId":"x"}]',
  '42["constructor",{"roomId":"x"}]',
  '421["chat:send",{"roomId":"fuzz-room","text":"hi"}',
  '4299999999999999999999["room:join",{"roomId":"x","name":"y"}]',
  `420["chat:send",${DEEP}]`,
  `42["room:join",{"roomId":"x","name":${DEEP}}]`,
  '451-0["chat:send",{"_placeholder":true,"num":0}]',
  '452-0["chat:send",{"_placeholder":true,"num":7},{"_placeholder":true,"num":-1}]',
  "4",
  "9",
  "",
  "\u0000\uffff",
  Buffer.from([0xff, 0xfe, 0x00, 0x01]),
  `42["chat:send",{"roomId":"fuzz-room","text":"${"x".repeat(300_000)}"}]`,
];

/** One raw engine.io WebSocket: opens, sends CONNECT, then each frame; the server may hang up. */
async function sendRaw(url: string, frames: Array<string | Buffer>): Promise<void> {
  const ws = new WebSocket(`${url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  ws.on("error", () => undefined); // a refused frame may end the connection with an error: expected
  ws.send("40");
  for (const frame of frames) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
  // Half a second for the server to read and answer (or hang up); then we close.
  setTimeout(() => ws.close(), 500).unref();
  await closed;
}

describe("raw Socket.IO frames", () => {
  it("malformed packets, lying attachments, 100,000-deep arrays and oversized frames never crash the node", async () => {
    for (const frame of RAW_FRAMES) await sendRaw(node.url, [frame]);
    await sendRaw(node.url, RAW_FRAMES);
    const health = await fetch(`${node.url}/healthz`);
    expect(health.status).toBe(200);
    expect(node.exitCode).toBeUndefined();
    expect(problems(node)).toEqual([]);
    const [v] = await viewers(node.url, "after-raw", 1);
    expect(v!.state).toBe("live");
  }, 60_000);
});

describe("fuzzing POST /api/rooms", () => {
  const validish = fc.record(
    {
      title: fc.oneof(fc.string({ maxLength: 130 }), hostileStrings),
      mode: fc.oneof(fc.constantFrom("chat", "presentation"), fc.string()),
      model: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(null)),
      systemPrompt: fc.string({ maxLength: 50 }),
      whoMayPrompt: fc.constantFrom("anyone", "participants", "presenters", "owner", "nobody"),
      private: fc.oneof(fc.boolean(), fc.constantFrom("true", 1)),
    },
    { requiredKeys: [] },
  );
  const jsonBody = fc
    .oneof(validish, fc.jsonValue({ maxDepth: 5 }), polluting, deep)
    .map((v) => ({ type: "application/json", body: JSON.stringify(v) ?? "null" }));
  const rawBody = fc
    .tuple(
      fc.oneof(
        fc.string(),
        fc.string({ unit: "binary" }),
        fc.constantFrom("{", '{"title":', "[1,2", "\u0000", "x".repeat(40_000), `{"title":"${"y".repeat(40_000)}"}`),
      ),
      fc.constantFrom(
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json; charset=utf-16",
        "",
      ),
    )
    .map(([body, type]) => ({ type, body }));
  const request = fc.oneof({ weight: 3, arbitrary: jsonBody }, { weight: 1, arbitrary: rawBody });

  it("1,000 random bodies: a 4xx JSON refusal for each invalid one, 201 only for valid ones, never a 5xx", async () => {
    const requests = fc.sample(request, { numRuns: 1_000, seed: SEED });
    const statuses = new Map<number, number>();
    const wrong: string[] = [];
    for (let i = 0; i < requests.length; i += 20) {
      await Promise.all(
        requests.slice(i, i + 20).map(async ({ type, body }) => {
          const headers: Record<string, string> = type ? { "Content-Type": type } : {};
          const res = await fetch(`${node.url}/api/rooms`, { method: "POST", headers, body });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const reply = (await res.json().catch(() => undefined)) as
            { ok?: boolean; error?: { code?: string } } | undefined;
          const valid = type === "application/json" && isValidRoom(body);
          // A valid body may still be refused by a rule (a private room needs TOKEN_SECRET); an
          // invalid one is never created.
          const refused =
            res.status >= 400 &&
            res.status < 500 &&
            reply?.ok === false &&
            (ERROR_CODES as readonly string[]).includes(reply.error?.code ?? "");
          const right = valid ? (res.status === 201 && reply?.ok === true) || refused : refused;
          if (!right)
            wrong.push(`${res.status} ${JSON.stringify(reply)?.slice(0, 120)} for ${type} ${body.slice(0, 80)}`);
        }),
      );
    }
    console.log(`POST /api/rooms: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(wrong).toEqual([]);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(problems(node)).toEqual([]);
  }, 120_000);
});

function isValidRoom(body: string): boolean {
  try {
    return createRoomSchema.safeParse(JSON.parse(body)).success;
  } catch {
    // Not JSON: invalid.
    return false;
  }
}
