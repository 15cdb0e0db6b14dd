/**
 * A private room never becomes public (issue 11, defect 4), on two nodes sharing a redis-server
 * that keeps nothing on disk (a restart comes back empty):
 * - its record lives as long as its history is written (an answer longer than the retention);
 * - a created room whose record is lost is `not_found` for everyone, never an ad-hoc room of the
 *   same id, and its connected members are told it is gone;
 * - making a room private drops, on every node, the members who came in by the share link alone.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { closeAllMembers, connectMember, joinAs, refusal, succeeded, type RoomMember } from "./helpers/room-member.ts";
import { createRoom, mintViewerToken, request } from "./helpers/rooms-http.ts";
import { startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

/** Retention far below the answer below: only renewal with every write keeps the record. */
const TTL_MS = 1500;

let redis: RedisProcess;
let fake: FakeUpstream;
let a: ServerNode;
let b: ServerNode;

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeUpstream()]);
  const env = {
    LLM_BASE_URL: fake.url,
    REDIS_URL: redis.url,
    ROOM_IDLE_TTL_MS: String(TTL_MS),
    TOKEN_SECRET: "lifetime-test-secret-of-32-characters-or-more",
  };
  [a, b] = await Promise.all([startNode(env), startNode(env)]);
});

afterEach(() => closeAllMembers());

afterAll(async () => {
  await Promise.all([a, b].map((n) => n?.stop()));
  await fake?.close();
  await redis?.close();
});

function dropped(member: RoomMember): () => boolean {
  let gone = false;
  member.socket.on("disconnect", () => (gone = true));
  return () => gone;
}

async function strangerJoin(url: string, roomId: string) {
  return (await connectMember(url)).request("room:join", { roomId, name: "Stranger" });
}

describe("a private room stays private", () => {
  it("while an answer streams for longer than the retention, its record lives: strangers stay out", async () => {
    const created = await createRoom(a.url, { title: "Long answer", private: true });
    const roomId = created.room.id;
    const { member: owner } = await joinAs(a.url, { roomId, name: "Owner", key: created.ownerKey });
    // 24 tokens 150 ms apart: about 3.6 s, more than twice the retention, with no join meanwhile.
    fake.enqueue(
      tokenScript(
        Array.from({ length: 24 }, (_, i) => `t${i} `),
        { delayMs: 150 },
      ),
    );
    const { replyId } = succeeded(await owner.request("chat:send", { roomId, text: "talk for a while" }));
    await owner.next("chat:delta", (d) => d.messageId === replyId && d.seq >= 16, 10_000); // past 2 × TTL
    expect(refusal(await strangerJoin(b.url, roomId))).toBe("forbidden");
    expect((await request(`${b.url}/api/rooms/${roomId}/transcript`)).status).toBe(403);
    await owner.next("chat:end", (e) => e.messageId === replyId);
    // Quiet from here on, the room expires within the retention: refused either way, never admitted.
    expect(["forbidden", "not_found"]).toContain(refusal(await strangerJoin(a.url, roomId)));
  });

  it("making a room private drops the share-link members on every node; token and key holders stay", async () => {
    const created = await createRoom(a.url, { title: "Goes private" });
    const roomId = created.room.id;
    const token = await mintViewerToken(a.url, created);
    const { member: shareLink } = await joinAs(b.url, { roomId, name: "Share link" });
    const { member: invited } = await joinAs(b.url, { roomId, name: "Invited", token });
    const { member: owner } = await joinAs(a.url, { roomId, name: "Owner", key: created.ownerKey });
    const { member: presenter } = await joinAs(b.url, { roomId, name: "Presenter", key: created.presenterKey });
    const shareLinkDropped = dropped(shareLink);

    succeeded(await owner.request("room:update", { roomId, settings: { private: true } }));
    await waitFor(shareLinkDropped, { what: "B's share-link member to be dropped" });
    for (const stays of [invited, owner, presenter]) expect(stays.socket.connected).toBe(true);
    expect(refusal(await strangerJoin(b.url, roomId))).toBe("forbidden");
    succeeded(await invited.request("room:typing", { roomId, typing: false })); // still a member
  });

  it("after Redis comes back empty, the room is gone for everyone: members are told, strangers and old tokens get not_found", async () => {
    const created = await createRoom(a.url, { title: "Lost room", private: true });
    const roomId = created.room.id;
    const token = await mintViewerToken(a.url, created);
    const { member: owner } = await joinAs(a.url, { roomId, name: "Owner", key: created.ownerKey });
    const { member: guest } = await joinAs(b.url, { roomId, name: "Guest", token });
    const [ownerDropped, guestDropped] = [dropped(owner), dropped(guest)];

    await redis.kill();
    await redis.restart();
    await waitFor(() => ownerDropped() && guestDropped(), { timeoutMs: 15_000, what: "both members to be dropped" });
    // Once: from its own node.
    const closed = [{ roomId, error: expect.objectContaining({ code: "not_found" }) }];
    for (const member of [owner, guest]) expect(member.all("room:closed")).toEqual(closed);

    for (const node of [a, b]) {
      expect(refusal(await strangerJoin(node.url, roomId))).toBe("not_found");
      expect(
        refusal(await (await connectMember(node.url)).request("room:join", { roomId, name: "Old guest", token })),
      ).toBe("not_found");
      expect((await request(`${node.url}/api/rooms/${roomId}/transcript`)).status).toBe(404);
    }
    // Ad-hoc rooms (any other name) carry on as before.
    expect((await joinAs(a.url, { roomId: "just-a-name", name: "Ada" })).joined.room.owned).toBe(false);
  });
});
