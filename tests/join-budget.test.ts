/**
 * Join amplification (issue 11, defect 1) on real nodes sharing a real Redis: a room of 30 long
 * answers. A join ack carries the newest history within JOIN_HISTORY_BYTES plus the answer in
 * progress whole; `room:history` pages back to the first message, each message exactly once; and
 * the acks one IP is sent count against RATE_BYTES_PER_IP on every node, while another IP still
 * joins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import type { JoinPayload, JoinResult, Message } from "@tokencast/protocol";
import { FAST_SOCKET, type RawSocket } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { RoomMember, closeAllMembers, refusal, succeeded } from "./helpers/room-member.ts";
import { closeAllSse, openSse } from "./helpers/sse-client.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { chatFrames } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const ROOM = "join-budget";
const ANSWERS = 30;
const JOIN_HISTORY_BYTES = 256 * 1024;
/**
 * 10 MB per IP over a window long enough for a loaded machine: the pager's whole history fits, a flood of 256 KiB
 * joins does not.
 */
const RATE_BYTES_PER_IP = 333_334;
const RATE_WINDOW_SECONDS = 30;
/**
 * ~190,000 characters an answer in 10,000-character chunks, with escapes (newlines, quotes) and multi-byte characters.
 */
const CHUNK = 'Long answer line with "quotes", é and 🙂.\n'.repeat(250).slice(0, 10_000);
const TOKENS = Array.from({ length: 19 }, () => CHUNK);

let redis: RedisProcess;
let upstream: FakeUpstream;
let nodeA: ServerNode;
let nodeB: ServerNode;
let asker: RoomMember;
let inProgress: Message;

/** A member whose connection claims to come from `ip` (believed: TRUST_PROXY=1). */
async function memberFrom(url: string, ip: string): Promise<RoomMember> {
  const socket: RawSocket = io(url, { ...FAST_SOCKET, reconnection: false, extraHeaders: { "x-forwarded-for": ip } });
  const member = new RoomMember(socket);
  await waitFor(() => socket.connected, { what: `a socket from ${ip}` });
  return member;
}

function join(member: RoomMember, name: string) {
  const payload: JoinPayload = { roomId: ROOM, name };
  return member.request("room:join", payload);
}

async function ask(text: string): Promise<string> {
  const { replyId } = succeeded(await asker.request("chat:send", { roomId: ROOM, text }));
  return replyId;
}

/** The room's whole history as the transcript export gives it (it stays whole). */
async function transcript(): Promise<Message[]> {
  const res = await fetch(`${nodeA.url}/api/rooms/${ROOM}/transcript?format=json`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages;
}

const ackBytes = (reply: object) => Buffer.byteLength(JSON.stringify(reply));
const bytesOf = (messages: Message[]) => messages.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)), 0);

beforeAll(async () => {
  [redis, upstream] = await Promise.all([startRedis(), startFakeUpstream()]);
  upstream.fallback = { steps: [{ write: chatFrames(TOKENS).join("") }] };
  const env = {
    REDIS_URL: redis.url,
    REDIS_PREFIX: `join-budget-${Date.now()}:`,
    LLM_BASE_URL: upstream.url,
    COALESCE_MAX_CHARS: "65536",
    TRUST_PROXY: "1",
    RATE_BYTES_PER_IP: String(RATE_BYTES_PER_IP),
    RATE_WINDOW_SECONDS: String(RATE_WINDOW_SECONDS),
  };
  [nodeA, nodeB] = await Promise.all([startNode(env), startNode(env)]);
  asker = await memberFrom(nodeA.url, "198.51.100.1");
  succeeded(await join(asker, "asker"));
  for (let i = 0; i < ANSWERS; i++) {
    const replyId = await ask(`question ${i}`);
    await asker.next("chat:end", (end) => end.messageId === replyId, 30_000);
  }
  // The last answer stops halfway until the test lets it finish: it is in progress for every join.
  const frames = chatFrames(TOKENS);
  upstream.enqueue({
    steps: [{ write: frames.slice(0, 6).join("") }, { gate: "finish" }, { write: frames.slice(6).join("") }],
  });
  const liveId = await ask("one more");
  await asker.next("chat:delta", (delta) => delta.messageId === liveId && delta.seq >= 1);
  inProgress = (await transcript()).find((m) => m.id === liveId)!;
  expect(inProgress.status).toBe("streaming");
}, 120_000);

afterAll(async () => {
  upstream?.release("finish");
  closeAllMembers();
  closeAllSse();
  await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  await Promise.all([upstream?.close(), redis?.close()]);
});

describe("join history budget", () => {
  let reader: RoomMember;
  let joined: JoinResult;
  /** The whole history once the last answer has ended. */
  let whole: Message[] = [];

  it("a join ack carries the newest history within JOIN_HISTORY_BYTES and the answer in progress whole", async () => {
    const history = await transcript();
    expect(bytesOf(history)).toBeGreaterThan(5_000_000);
    reader = await memberFrom(nodeB.url, "198.51.100.2");
    const reply = await join(reader, "reader");
    joined = succeeded(reply);
    const live = joined.messages.find((m) => m.id === inProgress.id);
    expect(live).toMatchObject({ status: "streaming" });
    expect(live!.seq).toBeGreaterThanOrEqual(1);
    expect(live!.text.length).toBeGreaterThan(0);
    // The answer in progress may be over the budget on its own; the rest of the ack must not.
    expect(bytesOf(joined.messages)).toBeLessThanOrEqual(JOIN_HISTORY_BYTES + bytesOf([live!]));
    expect(ackBytes(reply)).toBeLessThan(JOIN_HISTORY_BYTES + bytesOf([live!]) + 10_000);
    expect(joined.moreHistory).toBe(true);
    expect(joined.messages.at(-1)!.id).toBe(inProgress.id);
    expect(joined.messages.map((m) => m.id)).toEqual(history.slice(-joined.messages.length).map((m) => m.id));
  });

  it("room:history pages from the newest back to the first message reproduce the history exactly once, in order", async () => {
    upstream.release("finish");
    const messagesNow = await waitFor(
      async () => {
        const messages = await transcript();
        return messages.every((m) => m.status === "done") ? messages : undefined;
      },
      { what: "the last answer to end" },
    );
    whole = messagesNow;
    const collected = [...joined.messages];
    let more = joined.moreHistory;
    let pages = 0;
    while (more) {
      const page = succeeded(
        await reader.request("room:history", { roomId: ROOM, before: collected[0]!.id, limit: 100 }),
      );
      expect(page.messages.length).toBeGreaterThan(0);
      expect(bytesOf(page.messages)).toBeLessThanOrEqual(
        Math.max(JOIN_HISTORY_BYTES, bytesOf(page.messages.slice(-1))),
      );
      collected.unshift(...page.messages);
      more = page.more;
      expect(++pages).toBeLessThan(60);
    }
    expect(pages).toBeGreaterThan(5);
    expect(collected.map((m) => m.id)).toEqual(whole.map((m) => m.id));
    // Every page message is final and whole; the joined snapshot's last answer was taken mid-stream.
    const final = collected.filter((m) => m.id !== inProgress.id);
    expect(final).toEqual(whole.filter((m) => m.id !== inProgress.id));
  });

  it("an SSE consumer resuming from a message older than the join's history gets every later message once", async () => {
    const streamed = (stream: Awaited<ReturnType<typeof openSse>>) =>
      stream.events.filter((e) => e.event === "message").map((e) => (e.data as Message).id);
    const url = `${nodeA.url}/api/rooms/${ROOM}/events`;
    const resumed = await openSse(url, {
      lastEventId: `${whole[3]!.id}:end`,
      headers: { "x-forwarded-for": "198.51.100.4" },
    });
    expect(resumed.status).toBe(200);
    await resumed.until(
      (s) => streamed(s).length >= whole.length - 4,
      "the history after the consumer's position",
      30_000,
    );
    expect(streamed(resumed)).toEqual(whole.slice(4).map((m) => m.id));
    expect(resumed.comments.join("\n")).not.toContain("not in this room's history");
    resumed.close();
    // A fresh consumer starts from the recent history, like a join.
    const fresh = await openSse(url, { headers: { "x-forwarded-for": "198.51.100.5" } });
    await fresh.until((s) => streamed(s).includes(whole.at(-1)!.id), "the newest message");
    expect(streamed(fresh)).toEqual(whole.slice(-streamed(fresh).length).map((m) => m.id));
    expect(streamed(fresh).length).toBeLessThan(whole.length);
    fresh.close();
  });

  it("room:history is for members; an unknown `before` is not_found; a bad limit is invalid_payload", async () => {
    const stranger = await memberFrom(nodeA.url, "198.51.100.3");
    const first = joined.messages[0]!.id;
    expect(refusal(await stranger.request("room:history", { roomId: ROOM, before: first, limit: 10 }))).toBe(
      "not_in_room",
    );
    expect(refusal(await reader.request("room:history", { roomId: ROOM, before: "no-such-message", limit: 10 }))).toBe(
      "not_found",
    );
    expect(refusal(await reader.request("room:history", { roomId: ROOM, before: first, limit: 101 }))).toBe(
      "invalid_payload",
    );
    expect(refusal(await reader.request("room:history", { roomId: ROOM, before: first, limit: 0 }))).toBe(
      "invalid_payload",
    );
  });
});

describe("bytes per IP", () => {
  it("joins from one IP beyond RATE_BYTES_PER_IP get rate_limited with retryAfter on every node; another IP still joins", async () => {
    const flood = "203.0.113.9";
    const sockets = await Promise.all(Array.from({ length: 8 }, () => memberFrom(nodeA.url, flood)));
    let sent = 0;
    let refused: Awaited<ReturnType<typeof join>> | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const reply = await join(sockets[i % sockets.length]!, `flood-${i}`);
      if (reply.ok) sent += ackBytes(reply);
      else refused = reply;
    }
    // 10 MB over the window: joins go on until less than one join's budget is left, then stop.
    const budget = RATE_BYTES_PER_IP * RATE_WINDOW_SECONDS;
    expect(sent).toBeLessThanOrEqual(budget);
    expect(sent).toBeGreaterThan(budget - 2 * JOIN_HISTORY_BYTES);
    expect(refused?.ok).toBe(false);
    if (refused?.ok !== false) return;
    expect(refused.error.code).toBe("rate_limited");
    expect(refused.error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.error.retryAfter).toBeLessThanOrEqual(RATE_WINDOW_SECONDS);

    // The budget is the IP's on every node, and a refused join leaves nothing behind.
    const late = await memberFrom(nodeB.url, flood);
    expect(refusal(await join(late, "late"))).toBe("rate_limited");
    expect(refusal(await late.request("room:history", { roomId: ROOM, before: inProgress.id, limit: 10 }))).toBe(
      "rate_limited",
    );
    expect(refusal(await late.request("chat:send", { roomId: ROOM, text: "am I in?" }))).toBe("not_in_room");
    // An SSE stream's starting history is a join on behalf of its client: the same budget.
    const stream = await openSse(`${nodeB.url}/api/rooms/${ROOM}/events`, { headers: { "x-forwarded-for": flood } });
    expect(stream.status).toBe(429);
    expect(Number(stream.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(stream.body).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    expect(late.all("chat:message")).toEqual([]);

    const other = await memberFrom(nodeB.url, "203.0.113.10");
    const welcome = succeeded(await join(other, "other"));
    // The flood's sockets joined before the budget ran out; `late` never did.
    const names = welcome.members.map((m) => m.name);
    expect(names).toContain("other");
    expect(names.filter((name) => name.startsWith("flood-"))).toHaveLength(sockets.length);
    expect(names).not.toContain("late");
    expect(welcome.messages.length).toBeGreaterThan(0);
    expect(problems(nodeA)).toEqual([]);
    expect(problems(nodeB)).toEqual([]);
  });
});
