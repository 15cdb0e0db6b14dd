/** Malformed client events get `{ ok: false, error }` with a named code and change nothing. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_TEXT_LENGTH } from "@tokencast/protocol";
import { closeAllClients, rawClient } from "./helpers/clients.ts";
import { createRoom, postRooms, request } from "./helpers/rooms-http.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

let fake: FakeUpstream;
let node: ServerNode;

beforeAll(async () => {
  fake = await startFakeUpstream();
  node = await startNode({ LLM_BASE_URL: fake.url, TOKEN_SECRET: "validation-test-secret-0123456789abcdef" });
});

afterEach(() => closeAllClients());

afterAll(async () => {
  await node?.stop();
  await fake?.close();
});

type Failure = { ok: false; error: { code: string; message: string } };

const notObjects = [undefined, null, 42, "text", [], true];
const badJoins = [
  ...notObjects,
  {},
  { roomId: "ok" },
  { roomId: "", name: "Ada" },
  { roomId: "has space", name: "Ada" },
  { roomId: "../etc", name: "Ada" },
  { roomId: "x".repeat(65), name: "Ada" },
  { roomId: 7, name: "Ada" },
  { roomId: "ok", name: "" },
  { roomId: "ok", name: "   " },
  { roomId: "ok", name: "x".repeat(41) },
  { roomId: "ok", name: "\u0007\u0008" },
  { roomId: "ok", name: "\u200b\u200d\ufeff" },
  { roomId: "ok", name: "Ada\ud800" },
  { roomId: "ok", name: "Ada", extra: 1 },
  { roomId: "ok", name: "Ada", role: "owner" },
];
/** Questions that show nothing or are not valid Unicode: refused like malformed ones (chat:send and queue:submit). */
const hostileTexts = [
  "\u200b\u200c\u200d",
  "\u2060\ufeff \n",
  "\u0000\u0007\u001b",
  "\u3164\u2800",
  "what\ud800",
  "\udc00",
].map((text) => ({ roomId: "valid-room", text }));
const badSends = [
  ...notObjects,
  {},
  { roomId: "valid-room" },
  { roomId: "valid-room", text: "" },
  { roomId: "valid-room", text: "   " },
  { roomId: "valid-room", text: 5 },
  { roomId: "valid-room", text: "hi", x: 1 },
  ...hostileTexts,
];
const badStops = [
  ...notObjects,
  { roomId: "valid-room" },
  { roomId: "valid-room", messageId: "" },
  { roomId: "valid-room", messageId: "x".repeat(65) },
];
const badResumes = [
  ...notObjects,
  { roomId: "valid-room", messageId: "m" },
  { roomId: "valid-room", messageId: "m", afterSeq: -1 },
  { roomId: "valid-room", messageId: "m", afterSeq: 1.5 },
  { roomId: "valid-room", messageId: "m", afterSeq: "3" },
];
const badLeaves = [...notObjects, {}, { roomId: "bad room" }];

describe("malformed payloads", () => {
  const table: Array<[string, unknown[]]> = [
    ["room:join", badJoins],
    ["chat:send", badSends],
    ["chat:stop", badStops],
    ["chat:resume", badResumes],
    ["room:leave", badLeaves],
    ["queue:submit", [...notObjects, { roomId: "valid-room" }, ...hostileTexts]],
  ];

  it.each(table)("%s: every malformed payload → invalid_payload, nothing changes", async (event, payloads) => {
    const observer = await rawClient(node.url);
    const snapshot = await observer.join("valid-room", "observer");
    const client = await rawClient(node.url);
    const requests = fake.requests.length;
    for (const payload of payloads) {
      const ack = (await client.emit(event as "room:join", payload)) as Failure;
      expect(ack, JSON.stringify(payload)).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
      expect(ack.error.message.length).toBeGreaterThan(0);
    }
    const after = await (await rawClient(node.url)).join("valid-room", "checker");
    expect(after.messages).toEqual(snapshot.messages);
    expect(after.members.map((m) => m.name).sort()).toEqual(["checker", "observer"]);
    expect(fake.requests.length).toBe(requests);
  });

  it("events without an ack callback, or with garbage arguments, do not hurt the node", async () => {
    const client = await rawClient(node.url);
    const untyped = client.socket as unknown as { emit(event: string, ...args: unknown[]): void };
    untyped.emit("chat:send", { roomId: "valid-room", text: "no ack" });
    untyped.emit("room:join");
    untyped.emit("chat:resume", 1, 2, 3);
    untyped.emit("no-such-event", { a: 1 });
    const ack = (await client.emit("room:join", { roomId: "still-works", name: "Ada" })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    expect(problems(node)).toEqual([]);
  });
});

describe("rules", () => {
  it("acting in a room before joining it → not_in_room", async () => {
    const client = await rawClient(node.url);
    const roomId = "never-joined";
    for (const [event, payload] of [
      ["chat:send", { roomId, text: "hi" }],
      ["chat:stop", { roomId, messageId: "m" }],
      ["chat:resume", { roomId, messageId: "m", afterSeq: 0 }],
    ] as const) {
      expect(await client.emit(event, payload)).toMatchObject({ ok: false, error: { code: "not_in_room" } });
    }
  });

  it(`text over the limit (${DEFAULT_MAX_TEXT_LENGTH} characters by default) → text_too_long, nothing stored`, async () => {
    const client = await rawClient(node.url);
    const join = await client.join("long-text", "Ada");
    expect(join.room.limits.maxTextLength).toBe(DEFAULT_MAX_TEXT_LENGTH);
    const requests = fake.requests.length;
    const ack = await client.emit("chat:send", { roomId: "long-text", text: "x".repeat(DEFAULT_MAX_TEXT_LENGTH + 1) });
    expect(ack).toMatchObject({ ok: false, error: { code: "text_too_long" } });
    const ok = await client.emit("chat:send", { roomId: "long-text", text: "x".repeat(DEFAULT_MAX_TEXT_LENGTH) });
    expect(ok).toMatchObject({ ok: true });
    await waitFor(() => client.ends.length === 1);
    expect(fake.requests.length).toBe(requests + 1);
    const history = await (await rawClient(node.url)).join("long-text", "checker");
    expect(history.messages).toHaveLength(2);
  });

  it("a second question while an answer streams → busy, and nothing is added", async () => {
    const client = await rawClient(node.url);
    await client.join("busy-room", "Ada");
    fake.enqueue(tokenScript(["a ", "b ", "c"], { gateAfter: { tokens: 1, gate: "busy" } }));
    const first = (await client.emit("chat:send", { roomId: "busy-room", text: "one" })) as {
      ok: true;
      replyId: string;
    };
    expect(first.ok).toBe(true);
    const second = await client.emit("chat:send", { roomId: "busy-room", text: "two" });
    expect(second).toMatchObject({ ok: false, error: { code: "busy" } });
    fake.release("busy");
    await waitFor(() => client.ends.find((e) => e.messageId === first.replyId));
    const history = await (await rawClient(node.url)).join("busy-room", "checker");
    expect(history.messages.map((m) => m.text)).toEqual(["one", "a b c"]);
  });

  it("stopping an unknown or finished answer → not_found / not_streaming", async () => {
    const client = await rawClient(node.url);
    await client.join("stop-rules", "Ada");
    expect(await client.emit("chat:stop", { roomId: "stop-rules", messageId: "nope" })).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
    fake.enqueue(tokenScript(["done"]));
    const sent = (await client.emit("chat:send", { roomId: "stop-rules", text: "q" })) as { replyId: string };
    await waitFor(() => client.ends.find((e) => e.messageId === sent.replyId));
    expect(await client.emit("chat:stop", { roomId: "stop-rules", messageId: sent.replyId })).toMatchObject({
      ok: false,
      error: { code: "not_streaming" },
    });
    expect(await client.emit("chat:resume", { roomId: "stop-rules", messageId: "nope", afterSeq: 0 })).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
  });
});

describe("names and titles are normalised; token names are checked when minted", () => {
  const mint = (roomId: string, ownerKey: string, body: unknown) =>
    request(`${node.url}/api/rooms/${roomId}/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Room-Key": ownerKey },
      body: JSON.stringify(body),
    });

  it("a join's name loses control characters and invisible ends (NFC); the room title too, on creation and update", async () => {
    const client = await rawClient(node.url);
    const joined = await client.join("names-room", "\u200b Zoe\u0308\u0007 Smith\n");
    expect(joined.self.name).toBe("Zoë Smith");
    const created = await createRoom(node.url, { title: "\ufeff Cafe\u0301\u0000 talk \u200b" });
    expect(created.room.settings.title).toBe("Café talk");
    for (const title of ["\u200b\u2060", "\u0007", "talk \ud800"]) {
      const reply = await postRooms(node.url, { title });
      expect(reply.status, JSON.stringify(title)).toBe(400);
      expect(reply.json).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    }
    const owner = await rawClient(node.url);
    await owner.emit("room:join", { roomId: created.room.id, name: "Owner", key: created.ownerKey });
    expect(await owner.emit("room:update", { roomId: created.room.id, settings: { title: "\u200b" } })).toMatchObject({
      ok: false,
      error: { code: "invalid_payload" },
    });
    expect(
      await owner.emit("room:update", { roomId: created.room.id, settings: { title: " New\u0085 title " } }),
    ).toMatchObject({ ok: true, room: { settings: { title: "New title" } } });
  });

  it("POST /api/rooms/:id/tokens refuses a name a join would refuse (400 invalid_payload), and signs the normalised one", async () => {
    const { room, ownerKey } = await createRoom(node.url, { title: "Token names" });
    for (const name of ["\u200b", "\u0007\u0000", "x".repeat(41), "Ada\udfff"]) {
      const reply = await mint(room.id, ownerKey, { role: "viewer", name });
      expect(reply.status, JSON.stringify(name)).toBe(400);
      expect(reply.json).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    }
    const minted = await mint(room.id, ownerKey, { role: "viewer", name: "\u200bDr\u0007 Who " });
    expect(minted.status).toBe(201);
    const { token } = minted.json as { token: string };
    const holder = await rawClient(node.url);
    expect(await holder.emit("room:join", { roomId: room.id, name: "ignored", token })).toMatchObject({
      ok: true,
      self: { name: "Dr Who" },
    });
  });
});
