/**
 * An SSE viewer is a room member in its node's process (no socket): whatever drops or refuses a
 * Socket.IO member drops or refuses it too, from any node. Two nodes sharing a redis-server that
 * and one node alone for the per-address member cap.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PresenceEvent } from "@tokencast/protocol";
import { startFakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { closeAllMembers, joinAs, succeeded } from "./helpers/room-member.ts";
import { createRoom, mintViewerToken, request } from "./helpers/rooms-http.ts";
import { closeAllSse, openSse, type SseEvent, type SseStream } from "./helpers/sse-client.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { chatFrames } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const run = promisify(execFile);

let redis: RedisProcess;
let a: ServerNode;
let b: ServerNode;

beforeAll(async () => {
  redis = await startRedis();
  const env = { REDIS_URL: redis.url, TOKEN_SECRET: "sse-members-test-secret-of-32-characters", TRUST_PROXY: "1" };
  [a, b] = await Promise.all([startNode(env), startNode(env)]);
});

afterEach(() => {
  closeAllSse();
  closeAllMembers();
});

afterAll(async () => {
  await Promise.all([a, b].map((n) => n?.stop()));
  await redis?.close();
});

/** A request for the room's event stream from the client at `ip` (refused or not). */
function attempt(url: string, roomId: string, ip: string, query = ""): Promise<SseStream> {
  return openSse(`${url}/api/rooms/${roomId}/events${query}`, { headers: { "x-forwarded-for": ip } });
}

/** An event stream from the client at `ip`, once it has joined (its first bytes came). */
async function watch(url: string, roomId: string, ip: string, query = ""): Promise<SseStream> {
  const stream = await attempt(url, roomId, ip, query);
  expect(stream.status).toBe(200);
  await stream.until((s) => s.retry !== undefined, "the stream to start");
  return stream;
}

/** The node's `tokencast_sse_viewers` gauge. */
async function sseViewers(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^tokencast_sse_viewers (\d+)$/m.exec(text)?.[1]);
}

/** The server finished the stream (not a reset or an abort). */
async function endedByServer(stream: SseStream, what: string): Promise<void> {
  await stream.until((s) => s.ended, what);
  expect(stream.failed).toBe(false);
}

describe("SSE viewers on two nodes", () => {
  it("withdrawing invitations on node A ends node B's stream that joined with one; it cannot come back", async () => {
    const created = await createRoom(a.url, { title: "Withdrawn", private: true });
    const roomId = created.room.id;
    const token = await mintViewerToken(a.url, created);
    const stream = await watch(b.url, roomId, "198.51.100.11", `?token=${token}`);

    const ownerKey = { "x-room-key": created.ownerKey };
    const revoked = await request(`${a.url}/api/rooms/${roomId}/tokens/revoke`, { method: "POST", headers: ownerKey });
    expect(revoked.json).toEqual({ ok: true, dropped: 1 });
    await endedByServer(stream, "B's stream to end");
    expect((await attempt(b.url, roomId, "198.51.100.11", `?token=${token}`)).status).toBe(403);
  });

  it("going private ends share-link streams on every node; a token's stream stays, shown in presence", async () => {
    const created = await createRoom(a.url, { title: "Goes private" });
    const roomId = created.room.id;
    const token = await mintViewerToken(a.url, created);
    const { member: owner } = await joinAs(a.url, { roomId, name: "Owner", key: created.ownerKey });
    let presence: PresenceEvent | undefined;
    owner.socket.on("room:presence", (event) => (presence = event));
    const shareLink = await watch(b.url, roomId, "198.51.100.21");
    const invited = await watch(b.url, roomId, "198.51.100.22", `?token=${token}&name=Wall`);
    await waitFor(() => presence?.count === 3, { what: "both streams in the owner's presence" });
    const viewers = presence!.members!.filter((m) => m.role === "viewer");
    expect(viewers.map((m) => m.name).sort()).toEqual(["SSE viewer", "Wall"]);

    succeeded(await owner.request("room:update", { roomId, settings: { private: true } }));
    await endedByServer(shareLink, "the share-link stream to end");
    await waitFor(() => presence?.count === 2, { what: "the share-link viewer to leave the presence" });
    expect(invited.ended).toBe(false);
    const presenceOf = (e: SseEvent) => (e.event === "presence" ? (e.data as PresenceEvent) : undefined);
    await invited.until((s) => s.events.some((e) => presenceOf(e)?.count === 2), "the invited stream to go on");
  });

  it("a room found gone (record lost) is closed on every node: its streams end, a new one is not_found", async () => {
    const created = await createRoom(a.url, { title: "Lost", private: true });
    const roomId = created.room.id;
    const token = await mintViewerToken(a.url, created);
    const { member: owner } = await joinAs(a.url, { roomId, name: "Owner", key: created.ownerKey });
    const [onA, onB] = await Promise.all([
      watch(a.url, roomId, "198.51.100.31", `?token=${token}`),
      watch(b.url, roomId, "198.51.100.32", `?token=${token}`),
    ]);

    // Redis keeps running (no reconnect, no resync): the owner's next action finds the room gone.
    await run("redis-cli", ["-p", String(redis.port), "FLUSHALL"]);
    // Its reply may not come: the room is closed, the owner told and dropped, right away.
    owner.request("room:typing", { roomId, typing: true }).catch(() => undefined);
    await waitFor(() => owner.all("room:closed").length === 1, { what: "the owner to be told" });
    await endedByServer(onA, "A's stream to end");
    await endedByServer(onB, "B's stream to end");
    expect((await attempt(b.url, roomId, "198.51.100.32", `?token=${token}`)).status).toBe(404);
    for (const node of [a, b]) expect(problems(node)).toEqual([]);
  });
});

describe("SSE viewers and the per-address limits of joins", () => {
  let own: ServerNode;
  beforeAll(async () => {
    // An address may hold 2 of the node's 20 room slots, and open 1 ad-hoc room an hour.
    const env = { MAX_MEMBERS_PER_IP_PER_ROOM: "2", MAX_ROOMS_PER_NODE: "20", ADHOC_ROOMS_PER_IP_PER_HOUR: "1" };
    own = await startNode({ ...env, TRUST_PROXY: "1" });
  });
  afterAll(async () => {
    await own?.kill();
  });

  it("MAX_MEMBERS_PER_IP_PER_ROOM counts an address's streams; another gets in; /metrics counts them", async () => {
    const roomId = "sse-per-ip";
    await watch(own.url, roomId, "198.51.100.41");
    await watch(own.url, roomId, "198.51.100.41");
    const third = await attempt(own.url, roomId, "198.51.100.41");
    expect(third.status).toBe(503);
    expect(third.body).toMatchObject({ ok: false, error: { code: "room_full" } });
    const last = await watch(own.url, roomId, "198.51.100.42");
    expect(await sseViewers(own.url)).toBe(3);
    last.close();
    await waitFor(async () => (await sseViewers(own.url)) === 2, { what: "the closed stream to leave the count" });
  });

  it("an address's streams spend its ad-hoc room budget and hold its share of the node's rooms", async () => {
    await watch(own.url, "sse-adhoc-a", "198.51.100.61");
    const secondNew = await attempt(own.url, "sse-adhoc-b", "198.51.100.61");
    expect(secondNew.status).toBe(429);
    expect(secondNew.body).toMatchObject({ ok: false, error: { code: "rate_limited" } });

    const created = await Promise.all([1, 2, 3].map((i) => createRoom(own.url, { title: `Slot ${i}` })));
    await watch(own.url, created[0]!.room.id, "198.51.100.71");
    await watch(own.url, created[1]!.room.id, "198.51.100.71");
    const third = await attempt(own.url, created[2]!.room.id, "198.51.100.71");
    expect(third.status).toBe(503);
    expect(third.body).toMatchObject({ ok: false, error: { code: "server_full" } });
    await watch(own.url, created[2]!.room.id, "198.51.100.72");
  });
});

describe("SSE viewers at a drain, with other nodes", () => {
  it("a draining node ends its streams at once (they reconnect elsewhere) while its answer goes on", async () => {
    const fake = await startFakeUpstream();
    // LLM_CONTINUE=off: the draining node keeps its answer (with it on, it would hand it over at once).
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: "sse-drain:",
      LLM_BASE_URL: fake.url,
      TRUST_PROXY: "1",
      LLM_CONTINUE: "off",
    };
    const [draining, other] = await Promise.all([startNode(env), startNode(env)]);
    try {
      const roomId = "sse-drain";
      const { member: asker } = await joinAs(draining.url, { roomId, name: "Asker" });
      const stream = await watch(draining.url, roomId, "198.51.100.51");
      const frames = chatFrames(["held ", "answer"]); // role chunk, a token, [held], a token, the tail
      fake.enqueue({ steps: [frames[0]!, frames[1]!, "hold", ...frames.slice(2)].map(step) });
      succeeded(await asker.request("chat:send", { roomId, text: "hold on" }));
      await stream.until((s) => s.events.some((e) => e.event === "delta"), "the answer to stream");

      const exited = draining.stop();
      await endedByServer(stream, "the stream to end as the drain starts");
      expect(draining.exitCode, "the node is still draining (its answer is held)").toBeUndefined();
      const resume = `?lastEventId=${encodeURIComponent(stream.lastEventId!)}`;
      const elsewhere = await watch(other.url, roomId, "198.51.100.51", resume);
      fake.release("hold");
      await elsewhere.until((s) => s.events.some((e) => e.event === "end"), "the answer's end on the other node");
      expect(await exited).toBe(0);
    } finally {
      await Promise.all([draining.kill(), other.kill()]);
      await fake.close();
    }
  });
});

/** A script step: a frame to write, or (a bare word) a gate the test opens. */
function step(frame: string): { write: string } | { gate: string } {
  return frame === "hold" ? { gate: frame } : { write: frame };
}
