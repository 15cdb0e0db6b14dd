/**
 * Rooms as a product across two nodes sharing a private redis-server: created rooms, keys,
 * settings and the question queue are cluster-wide, survive restarting every node, and every
 * key they leave in Redis expires (ROOM_IDLE_TTL_MS); withdrawing invitations reaches every node.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { NAMES, textOf } from "./helpers/room-cast.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { keysWithPttl } from "./helpers/redis-inspect.ts";
import { closeAllMembers, connectMember, joinAs, refusal, succeeded, type RoomMember } from "./helpers/room-member.ts";
import { createRoom, mintViewerToken, postRooms, request } from "./helpers/rooms-http.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const PREFIX = "rooms-cluster:";
/** Far below the 24 h default: a PTTL under it shows the setting is applied. */
const TTL_MS = 120_000;

let redis: RedisProcess;
let fake: FakeUpstream;
let a: ServerNode;
let b: ServerNode;
const started: ServerNode[] = [];

async function startPair(): Promise<[ServerNode, ServerNode]> {
  const env = {
    LLM_BASE_URL: fake.url,
    LLM_MODEL: "fake-model",
    REDIS_URL: redis.url,
    REDIS_PREFIX: PREFIX,
    ROOM_IDLE_TTL_MS: String(TTL_MS),
    TOKEN_SECRET: "cluster-test-secret-of-32-characters-or-more",
  };
  const pair = await Promise.all([startNode(env), startNode(env)]);
  started.push(...pair);
  return pair;
}

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeUpstream()]);
  [a, b] = await startPair();
});

afterEach(() => closeAllMembers());

afterAll(async () => {
  await Promise.all(started.map((n) => n.stop()));
  await fake?.close();
  await redis?.close();
});

function endOf(member: RoomMember, replyId: string) {
  return member.next("chat:end", (e) => e.messageId === replyId);
}

const recordKeys = async () => [...(await keysWithPttl(redis.port, `${PREFIX}*:room`)).keys()].sort();

describe("two nodes, one Redis", () => {
  it("invalid POSTs store nothing; a room created on A opens with its owner key on B; B's settings change reaches A's viewers", async () => {
    const before = await recordKeys();
    expect((await postRooms(a.url, { title: "Nope", colour: "red" })).status).toBe(400);
    expect((await postRooms(b.url, "{not json")).status).toBe(400);
    expect((await postRooms(a.url, { title: "" })).status).toBe(400);
    expect(await recordKeys()).toEqual(before);

    const created = await createRoom(a.url, { title: "Across", mode: "presentation" });
    const roomId = created.room.id;
    expect(await recordKeys()).toEqual([...before, `${PREFIX}{${roomId}}:room`].sort());
    const { member: viewer } = await joinAs(a.url, { roomId, name: NAMES.viewer });
    const { member: owner, joined } = await joinAs(b.url, { roomId, name: NAMES.owner, key: created.ownerKey });
    expect(joined.self.role).toBe("owner");
    expect(joined.room).toEqual(created.room);
    expect(joined.roleCounts).toMatchObject({ owner: 1, viewer: 1 });

    const updated = succeeded(
      await owner.request("room:update", { roomId, settings: { title: "Renamed", whoMayStop: "owner" } }),
    );
    expect(await viewer.next("room:updated")).toEqual({ roomId, room: updated.room, by: NAMES.owner });
    const described = await request(`${a.url}/api/rooms/${roomId}`);
    expect(described.json).toMatchObject({
      room: { settings: { title: "Renamed", whoMayStop: "owner" } },
      memberCount: 2,
    });
  });

  it("the question queue is shared: submit on A, vote on B (once per voter id, signed on B and believed on A), send from B", async () => {
    const created = await createRoom(b.url, { title: "Shared queue", mode: "presentation" });
    const roomId = created.room.id;
    const { member: asker } = await joinAs(a.url, { roomId, name: "Asker" });
    const { member: voter, joined: voterJoined } = await joinAs(b.url, { roomId, name: "Voter" });
    const { member: voterOnA, joined: voterOnAJoined } = await joinAs(a.url, {
      roomId,
      name: "Voter",
      voter: voterJoined.voter,
    });
    expect(voterOnAJoined.voter).toBe(voterJoined.voter);
    const { member: presenter } = await joinAs(b.url, { roomId, name: NAMES.presenter, key: created.presenterKey });
    const { questionId } = succeeded(await asker.request("queue:submit", { roomId, text: "Shared?" }));
    await voter.queueMatching((q) => q.questions[0]?.id === questionId);
    expect(succeeded(await voter.request("queue:vote", { roomId, questionId })).votes).toBe(1);
    expect(succeeded(await voterOnA.request("queue:vote", { roomId, questionId })).votes).toBe(1);
    expect(succeeded(await asker.request("queue:vote", { roomId, questionId })).votes).toBe(2);
    await asker.queueMatching((q) => q.questions[0]?.votes === 2);

    fake.enqueue(tokenScript(["Shared ", "answer."]));
    const sent = succeeded(await presenter.request("queue:send", { roomId, questionId }));
    expect(await asker.next("chat:message", (m) => m.id === sent.messageId)).toMatchObject({
      author: "Asker",
      sentBy: NAMES.presenter,
      text: "Shared?",
    });
    expect((await endOf(asker, sent.replyId)).status).toBe("done");
    expect(textOf(asker, sent.replyId)).toBe("Shared answer.");
    await asker.queueMatching((q) => q.count === 0);
  });

  it("a dismissal reaches the asker's tabs on both nodes, and nobody else", async () => {
    const created = await createRoom(a.url, { title: "Dismissals", mode: "presentation" });
    const roomId = created.room.id;
    const { member: asker, joined } = await joinAs(a.url, { roomId, name: "Asker" });
    const { member: askerOnB } = await joinAs(b.url, { roomId, name: "Asker", voter: joined.voter });
    const { member: bystander } = await joinAs(b.url, { roomId, name: "Bystander" });
    const { member: presenter } = await joinAs(b.url, { roomId, name: NAMES.presenter, key: created.presenterKey });
    const { questionId } = succeeded(await asker.request("queue:submit", { roomId, text: "Off topic?" }));
    await presenter.queueMatching((q) => q.questions[0]?.id === questionId);
    succeeded(await presenter.request("queue:dismiss", { roomId, questionId }));
    for (const tab of [asker, askerOnB]) {
      expect(await tab.next("queue:dismissed", (e) => e.questionId === questionId)).toMatchObject({ roomId });
    }
    await bystander.queueMatching((q) => q.count === 0);
    expect(bystander.all("queue:dismissed")).toEqual([]);
    expect(presenter.all("queue:dismissed")).toEqual([]);
  });

  it("rooms, history and queue survive restarting both nodes; every key under the prefix expires within ROOM_IDLE_TTL_MS", async () => {
    const created = await createRoom(a.url, { title: "Durable", mode: "presentation" });
    const roomId = created.room.id;
    const { member: owner } = await joinAs(a.url, { roomId, name: NAMES.owner, key: created.ownerKey });
    const { member: presenter } = await joinAs(b.url, { roomId, name: NAMES.presenter, key: created.presenterKey });
    const { member: viewer } = await joinAs(a.url, { roomId, name: NAMES.viewer });
    const settings = succeeded(await owner.request("room:update", { roomId, settings: { title: "Kept title" } })).room
      .settings;
    fake.enqueue(tokenScript(["Remembered."]));
    const sent = succeeded(await presenter.request("chat:send", { roomId, text: "remember me" }));
    await endOf(viewer, sent.replyId);
    const { questionId } = succeeded(await viewer.request("queue:submit", { roomId, text: "still queued?" }));
    succeeded(await viewer.request("queue:vote", { roomId, questionId }));

    closeAllMembers();
    expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
    [a, b] = await startPair();

    const { joined } = await joinAs(b.url, { roomId, name: NAMES.owner, key: created.ownerKey });
    expect(joined.self.role).toBe("owner");
    expect(joined.room.settings).toEqual(settings);
    expect(joined.messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ["user", "remember me", "done"],
      ["assistant", "Remembered.", "done"],
    ]);
    expect(joined.queue.map((q) => [q.id, q.text, q.votes])).toEqual([[questionId, "still queued?", 1]]);
    const { joined: asPresenter } = await joinAs(a.url, { roomId, name: NAMES.presenter, key: created.presenterKey });
    expect(asPresenter.self.role).toBe("presenter");

    const keys = await keysWithPttl(redis.port, `${PREFIX}*`);
    expect(keys.size).toBeGreaterThan(5);
    // Rate-limit budgets (`rl:`) live for their own window (room creations: an hour), not the rooms' retention.
    const HOUR_MS = 3_600_000;
    const lasting = [...keys].filter(
      ([key, pttl]) => !(pttl > 0 && pttl <= (key.startsWith(`${PREFIX}rl:`) ? HOUR_MS : TTL_MS)),
    );
    expect(lasting).toEqual([]);
  });

  it("withdrawing invitations on A refuses their tokens on B and drops B's members who joined with one", async () => {
    const created = await createRoom(a.url, { title: "Withdrawn", private: true });
    const roomId = created.room.id;
    const token = await mintViewerToken(a.url, created);
    const { member: guest } = await joinAs(b.url, { roomId, name: "Guest", token });
    const { member: owner } = await joinAs(b.url, { roomId, name: NAMES.owner, key: created.ownerKey });
    let dropped = false;
    guest.socket.on("disconnect", () => (dropped = true));

    const revoked = await request(`${a.url}/api/rooms/${roomId}/tokens/revoke`, {
      method: "POST",
      headers: { "x-room-key": created.ownerKey },
    });
    expect(revoked.json).toEqual({ ok: true, dropped: 1 });
    await waitFor(() => dropped, { what: "B's token holder to be dropped" });
    expect(owner.socket.connected).toBe(true);
    const again = await connectMember(b.url);
    expect(refusal(await again.request("room:join", { roomId, name: "Guest", token }))).toBe("forbidden");
  });

  it("the nodes logged no errors", () => {
    expect(started.flatMap(problems)).toEqual([]);
  });
});
