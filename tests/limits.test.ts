/**
 * Abuse limits on real nodes: event rate limits per connection and per client IP (X-Forwarded-For
 * believed only for TRUST_PROXY hops), HTTP request limits, budgets shared through Redis, message
 * size, room and node capacity, token quotas.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { closeAllClients, rawClient, socketFrom as connectFrom } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { waitFor } from "./helpers/wait.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { request } from "./helpers/rooms-http.ts";
import { startNode, type ServerNode } from "./helpers/spawn-node.ts";

const nodes: ServerNode[] = [];
const sockets: Socket[] = [];

async function node(env: Record<string, string>): Promise<ServerNode> {
  const started = await startNode(env);
  nodes.push(started);
  return started;
}

afterEach(() => {
  closeAllClients();
  for (const socket of sockets.splice(0)) socket.close();
});

let fake: FakeUpstream | undefined;

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await fake?.close();
});

type AckLike = { ok: boolean; error?: { code: string; retryAfter?: number } };

const socketFrom = (url: string, forwardedFor: string) => connectFrom(url, forwardedFor, sockets);

/** Headers of a request that claims to come from `ip` (believed only behind trusted proxies). */
const from = (ip: string) => ({ "x-forwarded-for": ip });

/** Fires `count` events at once; returns their acks. */
function burst(socket: Socket, count: number): Promise<AckLike[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        socket
          .timeout(5000)
          .emitWithAck("chat:resume", { roomId: "r", messageId: "m", afterSeq: 0 }) as Promise<AckLike>,
    ),
  );
}

const limited = (acks: AckLike[]) => acks.filter((ack) => ack.error?.code === "rate_limited").length;

describe("event rate limits", () => {
  it("a connection over its budget gets rate_limited acks with a retry time; others are unaffected", async () => {
    const { url } = await node({
      RATE_EVENTS_PER_CONNECTION: "1",
      RATE_WINDOW_SECONDS: "4",
      RATE_EVENTS_PER_IP: "1000",
    });
    const noisy = await rawClient(url);
    const acks = await burst(noisy.socket, 10);
    // 1/s over 4 s: 4 events pass (answered not_in_room), 6 are refused.
    expect(limited(acks)).toBe(6);
    expect(acks.filter((ack) => ack.error?.code === "not_in_room")).toHaveLength(4);
    expect(acks.find((ack) => ack.error?.code === "rate_limited")?.error?.retryAfter).toBeGreaterThan(0);
    const calm = await rawClient(url);
    expect(limited(await burst(calm.socket, 3))).toBe(0);
  });

  it("connections from one IP share a budget; X-Forwarded-For counts only behind a trusted proxy", async () => {
    const env = { RATE_EVENTS_PER_CONNECTION: "1000", RATE_EVENTS_PER_IP: "1", RATE_WINDOW_SECONDS: "6" };
    const direct = await node(env);
    // Without TRUST_PROXY the header is ignored: both sockets are 127.0.0.1 and share 6 events.
    const [a, b] = await Promise.all([socketFrom(direct.url, "198.51.100.1"), socketFrom(direct.url, "198.51.100.2")]);
    const shared = [...(await burst(a, 5)), ...(await burst(b, 5))];
    expect(limited(shared)).toBe(4);

    const proxied = await node({ ...env, TRUST_PROXY: "1" });
    const [c, d] = await Promise.all([
      socketFrom(proxied.url, "198.51.100.1"),
      socketFrom(proxied.url, "198.51.100.2"),
    ]);
    expect(limited(await burst(c, 5))).toBe(0);
    expect(limited(await burst(d, 5))).toBe(0);
    // A client cannot pick its address: only the hop next to the trusted proxy counts, so this
    // socket spends 198.51.100.1's budget (1 event left of 6), not a fresh one for 203.0.113.9.
    const forged = await socketFrom(proxied.url, "203.0.113.9, 198.51.100.1");
    expect(limited(await burst(forged, 2))).toBe(1);
  });
});

describe("HTTP request limits", () => {
  it("/api/* requests over RATE_HTTP_PER_IP get 429 rate_limited with Retry-After; pages, health and other IPs are unaffected", async () => {
    const { url } = await node({ RATE_HTTP_PER_IP: "1", RATE_WINDOW_SECONDS: "5", TRUST_PROXY: "1" });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await request(`${url}/api/rooms/no-such-room`, { headers: from("198.51.100.7") })).status);
    // 1/s over 5 s: five pass (404: no such room), then refusals.
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
    const refused = await fetch(`${url}/api/rooms/no-such-room`, { headers: from("198.51.100.7") });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    expect((await request(`${url}/healthz`, { headers: from("198.51.100.7") })).status).toBe(200);
    expect((await request(`${url}/`, { headers: from("198.51.100.7") })).status).not.toBe(429);
    expect((await request(`${url}/api/rooms/no-such-room`, { headers: from("198.51.100.8") })).status).toBe(404);
  });

  it("room creation has its own hourly budget per IP (ROOMS_PER_IP_PER_HOUR)", async () => {
    const { url } = await node({ ROOMS_PER_IP_PER_HOUR: "2", TRUST_PROXY: "1" });
    const create = (ip: string) =>
      request(`${url}/api/rooms`, {
        method: "POST",
        headers: { "content-type": "application/json", ...from(ip) },
        body: JSON.stringify({ title: "Spam" }),
      });
    expect((await create("198.51.100.20")).status).toBe(201);
    expect((await create("198.51.100.20")).status).toBe(201);
    const third = await create("198.51.100.20");
    expect(third.status).toBe(429);
    expect(third.json).toMatchObject({
      ok: false,
      error: { code: "rate_limited", message: expect.stringMatching(/rooms created/) },
    });
    expect((third.json as { error: { retryAfter: number } }).error.retryAfter).toBeGreaterThan(3000);
    expect((await create("198.51.100.21")).status).toBe(201);
  });
});

describe("limits shared through Redis", () => {
  let redis: RedisProcess | undefined;
  afterAll(async () => {
    await redis?.close();
  });

  it("one IP's event and request budgets are shared by every node", async () => {
    redis = await startRedis();
    const env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: `limits-${Date.now()}:`,
      TRUST_PROXY: "1",
      RATE_WINDOW_SECONDS: "30",
    };
    const [a, b] = await Promise.all([
      node({ ...env, RATE_EVENTS_PER_IP: "1", RATE_EVENTS_PER_CONNECTION: "1000", RATE_HTTP_PER_IP: "1" }),
      node({ ...env, RATE_EVENTS_PER_IP: "1", RATE_EVENTS_PER_CONNECTION: "1000", RATE_HTTP_PER_IP: "1" }),
    ]);
    // 30 events per IP in all: 20 on A leave 10 for B.
    const onA = await socketFrom(a.url, "198.51.100.30");
    expect(limited(await burst(onA, 20))).toBe(0);
    const onB = await socketFrom(b.url, "198.51.100.30");
    expect(limited(await burst(onB, 20))).toBe(10);
    // 30 requests per IP in all: 25 on A leave 5 for B.
    for (let i = 0; i < 25; i++)
      expect((await request(`${a.url}/api/rooms/nope`, { headers: from("198.51.100.31") })).status).toBe(404);
    const onBStatuses: number[] = [];
    for (let i = 0; i < 8; i++)
      onBStatuses.push((await request(`${b.url}/api/rooms/nope`, { headers: from("198.51.100.31") })).status);
    expect(onBStatuses.filter((status) => status === 429)).toHaveLength(3);
  });
});

describe("SSE viewers and limits", () => {
  /** Opens the room's event stream as a client at `ip` (behind one trusted proxy); returns the status. */
  async function openStream(url: string, roomId: string, ip: string): Promise<number> {
    const controller = new AbortController();
    const res = await fetch(`${url}/api/rooms/${roomId}/events`, {
      headers: { "x-forwarded-for": ip },
      signal: controller.signal,
    });
    const status = res.status;
    controller.abort();
    return status;
  }

  it("each SSE viewer counts against its own client's IP, not the node's own address", async () => {
    const { url } = await node({
      RATE_EVENTS_PER_CONNECTION: "1000",
      RATE_EVENTS_PER_IP: "1",
      RATE_WINDOW_SECONDS: "30",
      TRUST_PROXY: "1",
    });
    // 30 events per IP: 40 viewers from 40 addresses all get in…
    const many = await Promise.all(
      Array.from({ length: 40 }, (_, i) => openStream(url, "sse-limits", `198.51.100.${i + 1}`)),
    );
    expect(many.every((status) => status === 200)).toBe(true);
    // …while 40 from one address run out of their budget.
    const one = await Promise.all(Array.from({ length: 40 }, () => openStream(url, "sse-limits", "203.0.113.50")));
    expect(one.filter((status) => status === 429).length).toBeGreaterThan(0);
  });
});

describe("capacity", () => {
  it("a full room refuses joins with room_full; a node at its room limit refuses new rooms with server_full", async () => {
    const { url } = await node({ MAX_MEMBERS_PER_ROOM: "2", MAX_ROOMS_PER_NODE: "1" });
    const [a, b, c] = await Promise.all([rawClient(url), rawClient(url), rawClient(url)]);
    await a.join("full-room", "Ada");
    await b.join("full-room", "Bob");
    const refused = (await c.emit("room:join", { roomId: "full-room", name: "Cy" })) as AckLike & { room?: unknown };
    expect(refused.error?.code).toBe("room_full");
    expect(refused.room).toBeUndefined();
    const other = (await c.emit("room:join", { roomId: "second-room", name: "Cy" })) as AckLike;
    expect(other.error?.code).toBe("server_full");
    // Someone leaves: there is room again.
    b.close();
    const joined = await (async () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const ack = (await c.emit("room:join", { roomId: "full-room", name: "Cy" })) as AckLike;
        if (ack.ok) return ack;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return undefined;
    })();
    expect(joined?.ok).toBe(true);
  });
});

describe("message size", () => {
  it("a question over MAX_TEXT_LENGTH gets text_too_long; a packet over MAX_PACKET_BYTES closes only that connection", async () => {
    const { url } = await node({ MAX_TEXT_LENGTH: "1000", MAX_PACKET_BYTES: "16384" });
    const [sender, bystander] = await Promise.all([rawClient(url), rawClient(url)]);
    await sender.join("size-room", "Ada");
    await bystander.join("size-room", "Bob");
    const long = (await sender.emit("chat:send", { roomId: "size-room", text: "x".repeat(1001) })) as AckLike;
    expect(long.error?.code).toBe("text_too_long");

    let reason = "";
    sender.socket.on("disconnect", (why) => (reason = why));
    sender.socket.emit("chat:send", { roomId: "size-room", text: "y".repeat(20_000) }, () => undefined);
    await waitFor(() => reason !== "", { what: "the oversized sender to be disconnected" });
    expect(reason).toBe("transport close");
    // Nothing of it reached the room, and the room's other member is still served.
    const ack = (await bystander.emit("chat:send", { roomId: "size-room", text: "x".repeat(1000) })) as AckLike;
    expect(ack.ok).toBe(true);
    expect(bystander.messages.some((m) => m.text.startsWith("y"))).toBe(false);
  });
});

describe("token quotas", () => {
  type SendAck = AckLike & { replyId?: string };

  async function askAndFinish(client: Awaited<ReturnType<typeof rawClient>>, roomId: string): Promise<SendAck> {
    const ack = (await client.emit("chat:send", { roomId, text: "hi" })) as SendAck;
    if (ack.ok)
      await waitFor(() => client.ends.some((end) => end.messageId === ack.replyId), { what: "the answer to end" });
    return ack;
  }

  it("a room over its quota gets quota_exceeded; another room is unaffected; a person over theirs is refused everywhere", async () => {
    fake = await startFakeUpstream();
    const answer = () => tokenScript(["six ", "tokens"], { flavour: "localai", usage: { prompt: 3, completion: 6 } });
    const roomQuota = await node({ LLM_BASE_URL: fake.url, QUOTA_ROOM_TOKENS: "5" });
    const ada = await rawClient(roomQuota.url);
    await ada.join("quota-room", "Ada");
    fake.enqueue(answer(), answer());
    expect((await askAndFinish(ada, "quota-room")).ok).toBe(true);
    const before = fake.requests.length;
    const refused = await askAndFinish(ada, "quota-room");
    expect(refused.error?.code).toBe("quota_exceeded");
    expect(fake.requests.length).toBe(before);
    const bob = await rawClient(roomQuota.url);
    await bob.join("other-room", "Bob");
    expect((await askAndFinish(bob, "other-room")).ok).toBe(true);

    // Per person (client IP): every test client is 127.0.0.1, so the second room is refused too.
    const userQuota = await node({ LLM_BASE_URL: fake.url, QUOTA_USER_TOKENS: "5" });
    const cy = await rawClient(userQuota.url);
    await cy.join("first-room", "Cy");
    await cy.join("second-room", "Cy");
    fake.enqueue(answer());
    expect((await askAndFinish(cy, "first-room")).ok).toBe(true);
    await waitFor(
      async () =>
        ((await cy.emit("chat:send", { roomId: "second-room", text: "hi" })) as SendAck).error?.code ===
        "quota_exceeded",
      {
        what: "the person's quota to be spent",
      },
    );
  });
});
