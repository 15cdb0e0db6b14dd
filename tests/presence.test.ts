/**
 * Presence in a crowded room: a bounded member list plus an exact count, sent a few times, not per
 * join; the whole list page by page on demand (`room:members`), across nodes, within the IP's byte budget.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { io } from "socket.io-client";
import { MAX_LISTED_MEMBERS, type Member, type MembersPayload, type PresenceEvent } from "@tokencast/protocol";
import { closeAllClients, FAST_SOCKET, rawClient, type RawClient, type RawSocket } from "./helpers/clients.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { closeAllMembers, RoomMember, refusal, succeeded } from "./helpers/room-member.ts";
import { closeAllSse, openSse } from "./helpers/sse-client.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { waitFor } from "./helpers/wait.ts";

let node: ServerNode;
beforeAll(async () => {
  node = await startNode();
});
afterEach(() => {
  closeAllClients();
  closeAllSse();
});
afterAll(async () => {
  await node?.stop();
});

it("a room of 120 lists the first 100 members and counts all 120; presence is not sent once per join", async () => {
  const total = MAX_LISTED_MEMBERS + 20;
  const first = await rawClient(node.url);
  const updates: PresenceEvent[] = [];
  first.socket.on("room:presence", (p) => updates.push(p));
  await first.join("crowd", "first");
  const sse = await openSse(`${node.url}/api/rooms/crowd/events`);
  await waitFor(() => updates.at(-1)?.count === 2, { what: "the SSE viewer in presence" });
  const others: RawClient[] = [];
  for (let i = 2; i < total; i++) others.push(await rawClient(node.url));
  const acks = await Promise.all(others.map((c, i) => c.join("crowd", `m${i}`)));
  expect(Math.max(...acks.map((a) => a.members.length))).toBe(MAX_LISTED_MEMBERS);
  expect(acks.at(-1)!.memberCount).toBeGreaterThan(MAX_LISTED_MEMBERS);
  await waitFor(() => updates.findLast((u) => u.count === total), { what: "presence with everyone" });
  // Past MAX_LISTED_MEMBERS an event lists the members only when the listed ones changed (a deliberate
  // change of the contract: before, every event listed them); these joined at the back.
  expect(updates.findLast((u) => u.members)!.members).toHaveLength(MAX_LISTED_MEMBERS);
  expect(updates.filter((u) => u.count > MAX_LISTED_MEMBERS && u.members).length).toBeLessThanOrEqual(1);
  expect(updates.length).toBeLessThan(total / 4);

  const late = await rawClient(node.url);
  await late.join("crowd", "late");
  const counted = await waitFor(() => updates.find((u) => u.count === total + 1), { what: "the late joiner" });
  expect(counted.members).toBeUndefined();
  // The SSE stream fills in the list a counts-only event leaves out.
  const sseCounted = await sse.until(
    (s) => s.events.find((e) => e.event === "presence" && (e.data as PresenceEvent).count === total + 1),
    "the late joiner on the SSE stream",
  );
  expect((sseCounted.data as PresenceEvent).members).toHaveLength(MAX_LISTED_MEMBERS);

  const before = updates.length;
  const gone = others[0]!.socket.id;
  others[0]!.close(); // a listed member: the list goes out again, without it
  const after = await waitFor(() => updates.slice(before).find((u) => u.count === total), {
    what: "presence after one leaves",
  });
  expect(after.members).toHaveLength(MAX_LISTED_MEMBERS);
  expect(after.members!.map((m) => m.id)).not.toContain(gone);
});

/** A member whose connection claims to come from `ip` (believed with TRUST_PROXY=1). */
async function memberFrom(url: string, ip = "127.0.0.1"): Promise<RoomMember> {
  const socket: RawSocket = io(url, { ...FAST_SOCKET, reconnection: false, extraHeaders: { "x-forwarded-for": ip } });
  const member = new RoomMember(socket);
  await waitFor(() => socket.connected, { what: `a socket from ${ip}` });
  return member;
}

/** Every socket `memberFrom` opened (RoomMember's own registry holds only those it connects itself). */
const opened: RoomMember[] = [];
afterAll(() => {
  for (const member of opened.splice(0)) member.close();
});

/** `count` members joined to `roomId`, 50 at a time, alternating between `urls`. */
async function crowd(urls: string[], roomId: string, count: number, ipOf = (_i: number) => "127.0.0.1") {
  const members: RoomMember[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, j) => start + j);
    const joined = await Promise.all(
      batch.map(async (i) => {
        const member = await memberFrom(urls[i % urls.length]!, ipOf(i));
        await member.join({ roomId, name: `member-${i}` });
        return member;
      }),
    );
    members.push(...joined);
  }
  return members;
}

describe("room:members across two nodes", () => {
  const ROOM = "members-paged";
  let redis: RedisProcess;
  let nodes: ServerNode[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, REDIS_PREFIX: `members-${Date.now()}:`, TRUST_PROXY: "1" };
    nodes = await Promise.all([startNode(env), startNode(env)]);
  }, 60_000);
  afterAll(async () => {
    closeAllMembers();
    await Promise.all(nodes.map((n) => n.stop()));
    await redis?.close();
  });

  it("a member pages through 250 members on both nodes and gets each exactly once while others come and go", async () => {
    const urls = nodes.map((n) => n.url);
    const members = await crowd(urls, ROOM, 250);
    const reader = members[0]!;
    const page = (payload: Omit<MembersPayload, "roomId">) =>
      reader.request("room:members", { roomId: ROOM, ...payload });
    const first = succeeded(await page({}));
    expect(first.members).toHaveLength(100); // the default limit
    expect(first.count).toBe(250);
    expect(first.roleCounts.participant).toBe(250);
    // The page's last member (whose place the cursor names) and someone else already seen leave; a newcomer joins.
    const seenOthers = first.members.filter((m) => m.id !== reader.socket.id);
    expect(seenOthers.at(-1)).toEqual(first.members.at(-1)); // the reader joined with the first 50
    for (const leaver of [seenOthers.at(-1)!, seenOthers[3]!]) members.find((m) => m.socket.id === leaver.id)!.close();
    const newcomer = (await crowd([urls[1]!], ROOM, 1))[0]!;
    await waitFor(async () => succeeded(await page({ limit: 1 })).count === 249 || undefined, {
      timeoutMs: 20_000,
      what: "the leavers to be gone from the directory",
    });
    const seen: Member[] = [...first.members];
    for (let next = first.next; next !== undefined;) {
      const more = succeeded(await page({ after: next, limit: 60 }));
      expect(more.members.length).toBeLessThanOrEqual(60);
      seen.push(...more.members);
      next = more.next;
    }
    const ids = seen.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    const stayed = members.filter((m) => m.socket.connected).map((m) => m.socket.id!);
    expect(stayed).toHaveLength(248);
    for (const id of stayed) expect(ids).toContain(id);
    expect(ids).toContain(newcomer.socket.id);
    const joinTimes = seen.map((m) => m.joinedAt);
    expect(joinTimes).toEqual([...joinTimes].sort((a, b) => a - b));
    for (const node of nodes) expect(problems(node)).toEqual([]);
  });

  it("refuses a connection not in the room, and bad limits and cursors, with clear errors", async () => {
    const stranger = await memberFrom(nodes[1]!.url);
    expect(refusal(await stranger.request("room:members", { roomId: ROOM }))).toBe("not_in_room");
    const reader = await memberFrom(nodes[1]!.url);
    await reader.join({ roomId: ROOM, name: "reader" });
    const bad: unknown[] = [
      { roomId: ROOM, limit: 201 },
      { roomId: ROOM, limit: 0 },
      { roomId: ROOM, limit: 1.5 },
      { roomId: ROOM, after: "garbage" },
      { roomId: ROOM, after: "9.1.someone" },
      { roomId: ROOM, after: `2.1.${"x".repeat(65)}` },
      { roomId: ROOM, after: 5 },
      { roomId: ROOM, extra: true },
      "members please",
    ];
    for (const payload of bad) {
      const reply = await reader.request("room:members", payload as MembersPayload);
      expect(refusal(reply), JSON.stringify(payload)).toBe("invalid_payload");
    }
    expect(succeeded(await reader.request("room:members", { roomId: ROOM, limit: 1 })).members).toHaveLength(1);
  });
});

describe("room:members within the byte budget", () => {
  const ROOM = "members-budget";
  /** 40 KiB per IP over the window: a few pages of 40 long-named members, not a flood of them. */
  const RATE_BYTES_PER_IP = 4096;
  const RATE_WINDOW_SECONDS = 10;
  let node: ServerNode;

  beforeAll(async () => {
    node = await startNode({
      TRUST_PROXY: "1",
      RATE_BYTES_PER_IP: String(RATE_BYTES_PER_IP),
      RATE_WINDOW_SECONDS: String(RATE_WINDOW_SECONDS),
      JOIN_HISTORY_BYTES: "1024",
    });
  });
  afterAll(async () => {
    closeAllMembers();
    await node?.stop();
  });

  it("many connections of one IP asking for pages get rate_limited once its bytes are spent; another IP still reads", async () => {
    await crowd([node.url], ROOM, 40, (i) => `198.51.100.${i + 1}`);
    const flood = await Promise.all(Array.from({ length: 4 }, () => memberFrom(node.url, "203.0.113.7")));
    for (const [i, member] of flood.entries()) await member.join({ roomId: ROOM, name: `flood-${i}` });
    let sent = 0;
    let refused: Awaited<ReturnType<RoomMember["request"]>> | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const reply = await flood[i % flood.length]!.request("room:members", { roomId: ROOM, limit: 200 });
      if (reply.ok) sent += Buffer.byteLength(JSON.stringify(reply));
      else refused = reply;
    }
    expect(refused).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    expect(sent).toBeGreaterThan(0); // pages were served until the budget ran out
    expect(sent).toBeLessThanOrEqual(RATE_BYTES_PER_IP * RATE_WINDOW_SECONDS);
    const other = await memberFrom(node.url, "203.0.113.8");
    await other.join({ roomId: ROOM, name: "other" });
    expect(succeeded(await other.request("room:members", { roomId: ROOM, limit: 200 })).count).toBe(45);
    expect(problems(node)).toEqual([]);
  });
});
