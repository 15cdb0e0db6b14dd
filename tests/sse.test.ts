/**
 * GET /api/rooms/:id/events, the Server-Sent Events viewer, against real server nodes (child
 * processes), the fake upstream and socket.io viewers: headers, history, live deltas, resume
 * with Last-Event-ID across reconnects, heartbeats, errors, abrupt consumers, shutdown, and an
 * answer asked on another node (Redis).
 */
import { connect, type Socket } from "node:net";
import { createParser } from "eventsource-parser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Message, PresenceEvent, QueueUpdatedEvent } from "@tokencast/protocol";
import { closeAllClients, rawClient, type RawClient } from "./helpers/clients.ts";
import type { Script, Step } from "./helpers/fake-upstream.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { closeAllSse, openSse, RoomText, type SseEvent, type SseStream } from "./helpers/sse-client.ts";
import { createRoom } from "./helpers/rooms-http.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { chatFrames, expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const TOKENS = Array.from({ length: 40 }, (_, i) => `t${i} `);
const HEARTBEAT_MS = 200;

let fake: FakeUpstream;
let node: ServerNode;

beforeAll(async () => {
  fake = await startFakeUpstream();
  node = await startNode({ LLM_BASE_URL: fake.url, SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) });
});

afterEach(() => {
  closeAllSse();
  closeAllClients();
});

afterAll(async () => {
  await node?.stop();
  await fake?.close();
});

function eventsUrl(base: string, roomId: string, query = ""): string {
  return `${base}/api/rooms/${encodeURIComponent(roomId)}/events${query}`;
}

/** The answer to `tokens`, held after each `after` token until the test releases that gate. */
function gatedAnswer(tokens: string[], gates: Array<[after: number, gate: string]>): Script {
  const frames = chatFrames(tokens); // role chunk, one per token, then the tail
  const steps: Step[] = [{ write: frames[0]! }];
  tokens.forEach((_, i) => {
    steps.push({ write: frames[i + 1]! });
    for (const [after, gate] of gates) if (after === i + 1) steps.push({ gate });
  });
  for (const frame of frames.slice(tokens.length + 1)) steps.push({ write: frame });
  return { steps };
}

/** Asks a question as a socket.io participant; returns the answer's id. */
async function ask(client: RawClient, roomId: string, text: string): Promise<string> {
  const ack = (await client.emit("chat:send", { roomId, text })) as { ok: boolean; replyId: string };
  if (!ack.ok) throw new Error(`chat:send refused: ${JSON.stringify(ack)}`);
  return ack.replyId;
}

async function asker(base: string, roomId: string): Promise<RawClient> {
  const client = await rawClient(base);
  await client.join(roomId, "asker");
  return client;
}

/** The message as a fresh socket.io viewer gets it from room:join. */
async function joinedMessage(base: string, roomId: string, messageId: string): Promise<Message> {
  const client = await rawClient(base);
  const joined = await client.join(roomId, "auditor");
  client.close();
  const message = joined.messages.find((m) => m.id === messageId);
  if (!message) throw new Error(`no message ${messageId} in ${roomId}`);
  return message;
}

function ended(client: RawClient, messageId: string): Promise<unknown> {
  return waitFor(() => client.ends.find((e) => e.messageId === messageId), {
    timeoutMs: 15_000,
    what: `the end of ${messageId}`,
  });
}

function hasEnd(stream: SseStream, messageId: string): boolean {
  return stream.events.some((e) => e.event === "end" && (e.data as { messageId: string }).messageId === messageId);
}

function ids(stream: SseStream, event: string): string[] {
  return stream.events.filter((e) => e.event === event).map((e) => e.id ?? "");
}

describe("SSE viewer on one node", () => {
  it("sends no-buffering headers, the history as message events, then a live answer as deltas with rising ids and an end", async () => {
    const room = "sse-live";
    const client = await asker(node.url, room);
    fake.enqueue(tokenScript(["Earlier ", "answer."]));
    const earlier = await ask(client, room, "first question");
    await ended(client, earlier);

    const stream = await openSse(eventsUrl(node.url, room));
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(stream.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(stream.headers.get("x-accel-buffering")).toBe("no");
    await stream.until((s) => ids(s, "message").length === 2, "the history");
    expect(stream.retry).toBe(2000);
    const history = stream.events.filter((e) => e.event === "message").map((e) => e.data as Message);
    expect(history.map((m) => [m.role, m.text, m.status])).toEqual([
      ["user", "first question", "done"],
      ["assistant", "Earlier answer.", "done"],
    ]);
    expect(ids(stream, "message")).toEqual(history.map((m) => `${m.id}:end`));

    fake.enqueue(gatedAnswer(TOKENS, [[10, "live-mid"]]));
    const replyId = await ask(client, room, "second question");
    const view = new RoomText();
    // Part of the answer arrives while the upstream still holds the rest: it streams, not at the end.
    await stream.until(
      (s) => view.apply(s).text(replyId) === expectedText(TOKENS.slice(0, 10)),
      "the first ten tokens",
    );
    expect(hasEnd(stream, replyId)).toBe(false);
    fake.release("live-mid");
    await stream.until((s) => hasEnd(s, replyId), "the end of the answer");

    view.apply(stream);
    const final = await joinedMessage(node.url, room, replyId);
    expect(view.text(replyId)).toBe(final.text);
    expect(final.text).toBe(expectedText(TOKENS));
    expect(view.problems).toEqual([]);
    const deltaIds = ids(stream, "delta").filter((id) => id.startsWith(replyId));
    expect(deltaIds.map((id) => Number(id.split(":")[1]))).toEqual(deltaIds.map((_, i) => i + 1));
    expect(ids(stream, "end")).toEqual([`${replyId}:end`]);
    expect(problems(node)).toEqual([]);
  });

  it("resumes with Last-Event-ID across several reconnects (header or query), also after the answer ended while disconnected: no duplicate, no gap", async () => {
    const room = "sse-resume";
    const client = await asker(node.url, room);
    const upstreamText = (n: number) => expectedText(TOKENS.slice(0, n));
    const watched = (n: number) =>
      waitFor(() => client.deltas.map((d) => d.text).join("") === upstreamText(n), { what: `${n} tokens in the room` });
    fake.enqueue(
      gatedAnswer(TOKENS, [
        [10, "r1"],
        [20, "r2"],
        [30, "r3"],
      ]),
    );
    const view = new RoomText();

    const first = await openSse(eventsUrl(node.url, room));
    const replyId = await ask(client, room, "a long answer please");
    await first.until((s) => view.apply(s).text(replyId) === upstreamText(10), "the first part");
    first.close();

    fake.release("r1"); // tokens 11..20 stream while nobody listens
    await watched(20);
    const second = await openSse(eventsUrl(node.url, room), { lastEventId: first.lastEventId! });
    await second.until((s) => view.apply(s).text(replyId) === upstreamText(20), "the part missed while away");
    expect(second.events.filter((e) => e.event === "message")).toEqual([]);
    second.close();

    // Reconnect again (the id in the query, for clients that cannot set headers), then the answer goes on live.
    const third = await openSse(eventsUrl(node.url, room, `?lastEventId=${encodeURIComponent(second.lastEventId!)}`));
    fake.release("r2");
    await third.until((s) => view.apply(s).text(replyId) === upstreamText(30), "the third part, live");
    third.close();

    fake.release("r3"); // the answer ends while disconnected
    await ended(client, replyId);
    const fourth = await openSse(eventsUrl(node.url, room), { lastEventId: third.lastEventId! });
    await fourth.until((s) => hasEnd(s, replyId), "the end after the last reconnect");
    view.apply(fourth);

    const final = await joinedMessage(node.url, room, replyId);
    expect(final.text).toBe(expectedText(TOKENS));
    expect(view.text(replyId)).toBe(final.text);
    expect(view.problems).toEqual([]);
    expect(view.ended.has(replyId)).toBe(true);
    // Every delta went out exactly once across the four streams.
    const deltaIds = [first, second, third, fourth].flatMap((s) => ids(s, "delta"));
    expect(new Set(deltaIds).size).toBe(deltaIds.length);
  });

  it("an unknown Last-Event-ID (history trimmed or expired) sends the whole history and says so", async () => {
    const room = "sse-unknown-id";
    const client = await asker(node.url, room);
    fake.enqueue(tokenScript(["All ", "of ", "it."]));
    const replyId = await ask(client, room, "hello");
    await ended(client, replyId);

    const stream = await openSse(eventsUrl(node.url, room), { lastEventId: "no-such-message:7" });
    await stream.until((s) => ids(s, "message").length === 2, "the whole history");
    expect(stream.comments.some((c) => c.includes("no-such-message:7"))).toBe(true);
    expect(new RoomText().apply(stream).text(replyId)).toBe("All of it.");
  });

  it("a presentation's queue: each change arrives as the whole listed queue, built from the join's snapshot and the patches", async () => {
    const { room } = await createRoom(node.url, { title: "SSE queue", mode: "presentation" });
    const client = await rawClient(node.url);
    await client.join(room.id, "audience");
    let presence: PresenceEvent | undefined;
    client.socket.on("room:presence", (event) => (presence = event));
    const before = (await client.emit("queue:submit", { roomId: room.id, text: "asked before the stream" })) as {
      questionId: string;
    };
    const untouched = (await client.emit("queue:submit", { roomId: room.id, text: "untouched since" })) as {
      questionId: string;
    };
    // Opened once the node has published that question (patches go out at most every 250 ms): the stream has it
    // only from its snapshot.
    const published = new Set<string>();
    client.socket.on("queue:changed", (change) => change.upserts.forEach((q) => published.add(q.id)));
    await waitFor(() => published.has(untouched.questionId), { what: "the question's patch" });
    const stream = await openSse(eventsUrl(node.url, room.id));
    await waitFor(() => presence?.count === 2, { timeoutMs: 15_000, what: "the SSE viewer in the room" });
    await client.emit("queue:submit", { roomId: room.id, text: "asked while streaming" });
    await client.emit("queue:vote", { roomId: room.id, questionId: before.questionId });
    const listed = (e: SseEvent) => (e.data as QueueUpdatedEvent).questions.map((q) => [q.text, q.votes]);
    const expected = [
      ["asked before the stream", 1],
      ["untouched since", 0],
      ["asked while streaming", 0],
    ];
    await stream.until(
      (s) => s.events.some((e) => e.event === "queue" && JSON.stringify(listed(e)) === JSON.stringify(expected)),
      "the whole queue",
    );
    expect((stream.events.filter((e) => e.event === "queue").at(-1)!.data as QueueUpdatedEvent).count).toBe(3);
  });

  it("sends a heartbeat comment every SSE_HEARTBEAT_MS while the room is silent", async () => {
    const stream = await openSse(eventsUrl(node.url, "sse-heartbeat"));
    await stream.until((s) => s.comments.filter((c) => c === "ping").length >= 3, "three heartbeats", 10_000);
    expect(stream.ended).toBe(false);
  });

  it("refuses a bad room id or name with a 4xx JSON error before any event", async () => {
    const badRoom = await openSse(eventsUrl(node.url, "bad room!"));
    expect(badRoom.status).toBe(400);
    expect(badRoom.headers.get("content-type")).toMatch(/^application\/json/);
    expect(badRoom.body).toMatchObject({ ok: false, error: { code: "invalid_payload" } });

    const badName = await openSse(eventsUrl(node.url, "sse-bad-name", `?name=${"x".repeat(100)}`));
    expect(badName.status).toBe(400);
    expect(badName.body).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    expect(problems(node)).toEqual([]);
  });

  it("survives consumers that drop abruptly (reset mid-answer), frees their in-process viewers, and keeps serving", async () => {
    const room = "sse-abrupt";
    const client = await asker(node.url, room);
    let presence: PresenceEvent | undefined;
    client.socket.on("room:presence", (event) => (presence = event));
    fake.enqueue(gatedAnswer(TOKENS, [[10, "abrupt-mid"]]));
    const replyId = await ask(client, room, "stream while they drop");
    const raw = await Promise.all(
      Array.from({ length: 5 }, () => rawEventStream(node.port, `/api/rooms/${room}/events`)),
    );
    await waitFor(() => presence?.count === 6, { timeoutMs: 15_000, what: "the five SSE viewers in the room" });
    for (const { socket } of raw) socket.resetAndDestroy();
    await waitFor(() => presence?.count === 1, {
      timeoutMs: 15_000,
      what: "the dropped SSE viewers to leave the room",
    });

    const stream = await openSse(eventsUrl(node.url, room));
    fake.release("abrupt-mid");
    await stream.until((s) => hasEnd(s, replyId), "the answer for a new consumer");
    expect(new RoomText().apply(stream).text(replyId)).toBe(expectedText(TOKENS));
    expect(node.exitCode).toBeUndefined();
    expect(problems(node)).toEqual([]);
  });
});

interface RawStream {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** The server closed the connection. */
  closed(): boolean;
}

/** A raw HTTP request for an event stream, resolved once it started (the caller resets or pauses it). */
function rawEventStream(port: number, path: string, version = "HTTP/1.1"): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    let started = false;
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.setEncoding("utf8");
    socket.on("connect", () =>
      socket.write(`GET ${path} ${version}\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`),
    );
    socket.on("data", (chunk: string) => {
      received += chunk;
      if (started || !received.includes("retry:")) return;
      started = true;
      resolve({ socket, received: () => received, closed: () => closed });
    });
    socket.on("error", reject);
  });
}

/** Events of a raw HTTP/1.0 response (headers, then the event stream as sent). */
function parseEvents(raw: string): SseEvent[] {
  const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e) => events.push({ event: e.event ?? "message", id: e.id, data: JSON.parse(e.data), at: 0 }),
  });
  parser.feed(body);
  return events;
}

describe("SSE viewer that stops reading", () => {
  it("is cut off past SLOW_VIEWER_MAX_BUFFER_BYTES instead of buffering without bound, and resumes the rest with its last id", async () => {
    const own = await startNode({
      LLM_BASE_URL: fake.url,
      SLOW_VIEWER_MAX_BUFFER_BYTES: String(64 * 1024),
      LLM_MAX_ANSWER_CHARS: "0",
    });
    try {
      const room = "sse-slow";
      const client = await asker(own.url, room);
      // HTTP/1.0: no chunked encoding, so the raw bytes are the event stream itself.
      const reader = await rawEventStream(own.port, `/api/rooms/${room}/events`, "HTTP/1.0");
      reader.socket.pause(); // stops reading: the kernel buffers fill, then the server's
      const fast = await openSse(eventsUrl(own.url, room)); // reads all along: never cut off
      const tokens = Array.from({ length: 400 }, (_, i) => `${String(i).padStart(4, "0")}${"x".repeat(16 * 1024)} `);
      fake.enqueue(tokenScript(tokens));
      const replyId = await ask(client, room, "a very long answer");
      await ended(client, replyId);

      await fast.until((s) => hasEnd(s, replyId) || s.ended, "the fast consumer to get the end");
      expect(fast.ended, "the fast consumer was cut off").toBe(false);
      expect(new RoomText().apply(fast).text(replyId)).toBe(expectedText(tokens));
      reader.socket.resume();
      await waitFor(() => reader.closed(), { timeoutMs: 20_000, what: "the server to cut the stream off" });
      const cut = parseEvents(reader.received());
      expect(
        cut.some((e) => e.event === "end"),
        "the stream was not cut off",
      ).toBe(false);
      const lastId = cut.findLast((e) => e.id !== undefined)?.id;
      expect(lastId).toMatch(new RegExp(`^${replyId}:\\d+$`));

      const rest = await openSse(eventsUrl(own.url, room), { lastEventId: lastId! });
      await rest.until((s) => hasEnd(s, replyId), "the rest after the cut");
      const text = cut.filter((e) => e.event === "delta" || e.event === "message").concat(rest.events);
      const view = new RoomText();
      for (const event of text) view.applyEvent(event);
      expect(view.problems).toEqual([]);
      expect(view.text(replyId)).toBe(expectedText(tokens));
      expect(problems(own)).toEqual([]);
    } finally {
      await own.kill();
    }
  }, 60_000);
});

describe("SSE viewer at shutdown", () => {
  it("SIGTERM ends open event streams cleanly and the node exits", async () => {
    const own = await startNode({ LLM_BASE_URL: fake.url });
    try {
      const stream = await openSse(eventsUrl(own.url, "sse-shutdown"));
      await stream.until((s) => s.retry !== undefined, "the stream to start");
      const exited = own.stop();
      await stream.until((s) => s.ended, "the stream to end");
      expect(stream.failed).toBe(false);
      expect(await exited).toBe(0);
    } finally {
      await own.kill();
    }
  });
});

describe("SSE viewer with two nodes and Redis", () => {
  let redis: RedisProcess | undefined;
  const pair: ServerNode[] = [];

  afterAll(async () => {
    await Promise.all(pair.map((n) => n.stop("SIGKILL")));
    await redis?.close();
  });

  it("a viewer on node B gets the answer asked on node A, identical to a socket.io viewer's", async () => {
    redis = await startRedis();
    const env = { LLM_BASE_URL: fake.url, REDIS_URL: redis.url, REDIS_PREFIX: "sse:" };
    pair.push(...(await Promise.all([startNode(env), startNode(env)])));
    const [a, b] = pair as [ServerNode, ServerNode];
    const room = "sse-two-nodes";
    const stream = await openSse(eventsUrl(b.url, room));
    await stream.until((s) => s.retry !== undefined, "the stream on B to start");
    const client = await asker(a.url, room);
    fake.enqueue(tokenScript(TOKENS, { delayMs: 2 }));
    const replyId = await ask(client, room, "across nodes");
    await stream.until((s) => hasEnd(s, replyId), "the end on node B");

    const view = new RoomText().apply(stream);
    const final = await joinedMessage(b.url, room, replyId);
    expect(final.text).toBe(expectedText(TOKENS));
    expect(view.text(replyId)).toBe(final.text);
    expect(view.problems).toEqual([]);
    for (const n of pair) expect(problems(n)).toEqual([]);
  });
});
