/**
 * Rooms as a product, at the socket level, on one real node with the fake upstream: the HTTP
 * API, roles from keys, permissions enforced by the server (whatever a client shows), the
 * presentation question queue, and the transcript export.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_LISTED_QUESTIONS,
  MAX_QUEUED_QUESTIONS,
  type CreateRoomResult,
  type Message,
  type QueuedQuestion,
} from "@tokencast/protocol";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { NAMES, castOf, textOf, turnsOf } from "./helpers/room-cast.ts";
import { closeAllMembers, connectMember, joinAs, refusal, succeeded, type RoomMember } from "./helpers/room-member.ts";
import { createRoom, postRooms, request } from "./helpers/rooms-http.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

let fake: FakeUpstream;
let node: ServerNode;
let counter = 0;
/** A fresh ad-hoc room id (nobody created it). */
const adhoc = (name: string) => `${name}-${++counter}`;

beforeAll(async () => {
  fake = await startFakeUpstream();
  node = await startNode({
    LLM_BASE_URL: fake.url,
    LLM_MODEL: "fake-model",
    LLM_SYSTEM_PROMPT: "Server default prompt.",
  });
});

afterEach(() => closeAllMembers());

afterAll(async () => {
  await node?.stop();
  await fake?.close();
});

/** Waits for the end of an answer as `member` saw it. */
function endOf(member: RoomMember, replyId: string) {
  return member.next("chat:end", (e) => e.messageId === replyId);
}

const ids = (questions: QueuedQuestion[]) => questions.map((q) => [q.id, q.votes]);

describe("POST /api/rooms and GET /api/rooms/:id", () => {
  it("creates a presentation with the mode's defaults, the given model and system prompt, links and keys", async () => {
    const reply = await postRooms(node.url, {
      title: "  Quarterly review ",
      mode: "presentation",
      model: "room-model",
      systemPrompt: "Answer in one line.",
    });
    expect(reply.status).toBe(201);
    const created = reply.json as CreateRoomResult;
    const id = created.room.id;
    expect(id).toMatch(/^quarterly-review_[a-z0-9]{12}$/);
    expect(created.room).toMatchObject({ id, owned: true, model: "room-model", demo: false });
    expect(created.room.settings).toEqual({
      title: "Quarterly review",
      mode: "presentation",
      model: "room-model",
      systemPrompt: "Answer in one line.",
      whoMayPrompt: "presenters",
      whoMayStop: "presenters",
    });
    expect(created.links).toEqual({
      share: `/r/${id}`,
      presenter: `/r/${id}#key=${created.presenterKey}`,
      owner: `/r/${id}#key=${created.ownerKey}`,
    });
    expect(created.ownerKey).not.toBe(created.presenterKey);
    expect(created.ownerKey.length).toBeGreaterThanOrEqual(20);

    const got = await request(`${node.url}/api/rooms/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toEqual({ ok: true, room: created.room, memberCount: 0, messageCount: 0 });
    expect(got.text).not.toContain(created.ownerKey);
    expect(got.text).not.toContain(created.presenterKey);
  });

  it("a chat room by default: anyone prompts and stops, with the server's model", async () => {
    const { room } = await createRoom(node.url, { title: "Team chat" });
    expect(room.settings).toEqual({ title: "Team chat", mode: "chat", whoMayPrompt: "anyone", whoMayStop: "anyone" });
    expect(room.model).toBe("fake-model");
  });

  it.each([
    ["an unknown field", { title: "Talk", colour: "red" }],
    ["an empty title", { title: "   " }],
    ["a missing title", { mode: "chat" }],
    ["a bad mode", { title: "Talk", mode: "lecture" }],
    ["a too-long title", { title: "x".repeat(101) }],
    ["a bad permission level", { title: "Talk", whoMayPrompt: "everyone" }],
    ["a bad model name", { title: "Talk", model: "rm -rf /" }],
    ["a JSON array", "[]"],
    ["a non-JSON body", "{title: oops"],
  ])("refuses %s with 400 invalid_payload JSON", async (_what, body) => {
    const reply = await postRooms(node.url, body);
    expect(reply.status).toBe(400);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(reply.json).toMatchObject({ ok: false, error: { code: "invalid_payload", message: expect.any(String) } });
  });

  it("refuses a body over 32 kB with 413 invalid_payload JSON", async () => {
    const reply = await postRooms(node.url, { title: "Big", systemPrompt: "y".repeat(40_000) });
    expect(reply.status).toBe(413);
    expect(reply.json).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
  });

  it("GET: 404 for a room nobody created or used, 400 for a bad id; an ad-hoc room with history is found", async () => {
    const missing = await request(`${node.url}/api/rooms/${adhoc("never-used")}`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect((await request(`${node.url}/api/rooms/bad%20id`)).status).toBe(400);

    const roomId = adhoc("adhoc-history");
    const { member } = await joinAs(node.url, { roomId, name: "Ada" });
    const sent = succeeded(await member.request("chat:send", { roomId, text: "hello" }));
    await endOf(member, sent.replyId);
    const found = await request(`${node.url}/api/rooms/${roomId}`);
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({
      ok: true,
      room: { id: roomId, owned: false, settings: { mode: "chat" } },
      memberCount: 1,
      messageCount: 2,
    });
  });
});

describe("roles", () => {
  it("keys give owner and presenter; no key: viewer in a presentation; members listed most powerful first, counted by role", async () => {
    const created = await createRoom(node.url, { title: "Roles", mode: "presentation" });
    const roomId = created.room.id;
    const { member: first, joined: v } = await joinAs(node.url, { roomId, name: "Vic" });
    const { joined: p } = await joinAs(node.url, { roomId, name: "Pat", role: "participant" });
    const { joined: pr } = await joinAs(node.url, { roomId, name: "Pam", key: created.presenterKey });
    const { joined: o } = await joinAs(node.url, { roomId, name: "Olga", key: created.ownerKey });
    expect([v, p, pr, o].map((j) => j.self.role)).toEqual(["viewer", "participant", "presenter", "owner"]);
    expect(o.members.map((m) => [m.name, m.role])).toEqual([
      ["Olga", "owner"],
      ["Pam", "presenter"],
      ["Pat", "participant"],
      ["Vic", "viewer"],
    ]);
    expect(o.roleCounts).toEqual({ owner: 1, presenter: 1, participant: 1, viewer: 1 });
    expect(o.memberCount).toBe(4);
    const presence = await first.latest("room:presence", (e) => e.count === 4);
    expect(presence.roleCounts).toEqual(o.roleCounts);
    expect(presence.members!.map((m) => m.name)).toEqual(["Olga", "Pam", "Pat", "Vic"]);
  });

  it("a key that opens nothing is refused and joins nothing (another room's owner key, a made-up key, any key in an ad-hoc room)", async () => {
    const created = await createRoom(node.url, { title: "Locked", mode: "presentation" });
    const other = await createRoom(node.url, { title: "Other", mode: "presentation" });
    const roomId = created.room.id;
    const { member: watcher } = await joinAs(node.url, { roomId, name: "Watcher" });
    const intruder = await connectMember(node.url);
    for (const key of ["not-the-key", other.ownerKey, other.presenterKey]) {
      expect(refusal(await intruder.request("room:join", { roomId, name: "Mallory", key }))).toBe("forbidden");
    }
    expect(
      refusal(
        await intruder.request("room:join", { roomId: adhoc("adhoc-key"), name: "Mallory", key: created.ownerKey }),
      ),
    ).toBe("forbidden");
    expect(refusal(await intruder.request("chat:send", { roomId, text: "let me in" }))).toBe("not_in_room");

    const { joined } = await joinAs(node.url, { roomId, name: "Late" });
    expect(joined.roleCounts).toEqual({ owner: 0, presenter: 0, participant: 0, viewer: 2 });
    await watcher.latest("room:presence", (e) => e.count === 2);
    // Any broadcast to the room went out before this ack: the intruder was never in the room.
    await intruder.request("room:typing", { roomId, typing: false });
    expect(intruder.all("room:presence")).toEqual([]);
  });

  it("no key in a chat room: participant; role viewer is honoured (and a viewer cannot ask)", async () => {
    const roomId = adhoc("chat-roles");
    const { joined: participant } = await joinAs(node.url, { roomId, name: "Pat" });
    const { member: viewer, joined: asViewer } = await joinAs(node.url, { roomId, name: "Vic", role: "viewer" });
    expect(participant.self.role).toBe("participant");
    expect(asViewer.self.role).toBe("viewer");
    expect(asViewer.roleCounts).toEqual({ owner: 0, presenter: 0, participant: 1, viewer: 1 });
    expect(refusal(await viewer.request("chat:send", { roomId, text: "may I?" }))).toBe("forbidden");
  });
});

describe("permissions are enforced by the server", () => {
  it("in a presentation, a viewer's and a participant's questions are refused and never reach the upstream", async () => {
    const { roomId, presenter, participant, viewer } = await castOf(node.url, {
      title: "No asking",
      mode: "presentation",
    });
    const before = fake.requests.length;
    expect(refusal(await viewer.request("chat:send", { roomId, text: "viewer question" }))).toBe("forbidden");
    expect(refusal(await participant.request("chat:send", { roomId, text: "participant question" }))).toBe("forbidden");
    const sent = succeeded(await presenter.request("chat:send", { roomId, text: "presenter question" }));
    await endOf(viewer, sent.replyId);
    expect(fake.requests.length - before).toBe(1);
    expect(turnsOf(fake.requests[before]).at(-1)).toEqual(["user", "presenter question"]);
    expect(
      viewer
        .all("chat:message")
        .filter((m) => m.role === "user")
        .map((m) => m.text),
    ).toEqual(["presenter question"]);
  });

  it("a viewer may not stop, regenerate, send or dismiss queued questions, change settings or type; a participant may not stop; a presenter may not change settings", async () => {
    const { roomId, presenter, participant, viewer } = await castOf(node.url, {
      title: "Hands off",
      mode: "presentation",
    });
    fake.enqueue(tokenScript(["one ", "two ", "three"], { gateAfter: { tokens: 1, gate: "hands-off" } }));
    const sent = succeeded(await presenter.request("chat:send", { roomId, text: "keep going" }));
    await viewer.next("chat:delta", (d) => d.messageId === sent.replyId);
    for (const member of [viewer, participant]) {
      expect(refusal(await member.request("chat:stop", { roomId, messageId: sent.replyId }))).toBe("forbidden");
    }
    fake.release("hands-off");
    expect((await endOf(viewer, sent.replyId)).status).toBe("done");
    expect(refusal(await viewer.request("chat:regenerate", { roomId, messageId: sent.replyId }))).toBe("forbidden");
    expect(refusal(await participant.request("chat:regenerate", { roomId, messageId: sent.replyId }))).toBe(
      "forbidden",
    );

    const { questionId } = succeeded(await viewer.request("queue:submit", { roomId, text: "A question" }));
    for (const member of [viewer, participant]) {
      expect(refusal(await member.request("queue:send", { roomId, questionId }))).toBe("forbidden");
      expect(refusal(await member.request("queue:dismiss", { roomId, questionId }))).toBe("forbidden");
    }
    for (const member of [viewer, participant, presenter]) {
      expect(refusal(await member.request("room:update", { roomId, settings: { title: "Mine now" } }))).toBe(
        "forbidden",
      );
    }
    expect(refusal(await viewer.request("room:typing", { roomId, typing: true }))).toBe("forbidden");

    const { joined } = await joinAs(node.url, { roomId, name: "Auditor" });
    expect(joined.queue.map((q) => q.id)).toEqual([questionId]);
    expect(joined.room.settings.title).toBe("Hands off");
    expect(joined.messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "done"],
      ["assistant", "done"],
    ]);
    expect(presenter.all("room:updated")).toEqual([]);
  });

  it("in an ad-hoc room nobody may change the settings", async () => {
    const roomId = adhoc("adhoc-settings");
    const { member } = await joinAs(node.url, { roomId, name: "Ada" });
    expect(refusal(await member.request("room:update", { roomId, settings: { whoMayPrompt: "owner" } }))).toBe(
      "forbidden",
    );
  });

  it("the owner lets anyone ask: everyone gets room:updated with `by`, the participant may now ask, a viewer still may not, a later join sees it", async () => {
    const cast = await castOf(node.url, { title: "Opening up", mode: "presentation" });
    const { roomId, owner, participant, viewer } = cast;
    const updated = succeeded(
      await owner.request("room:update", { roomId, settings: { whoMayPrompt: "anyone", title: "Open floor" } }),
    );
    expect(updated.room.settings).toMatchObject({
      title: "Open floor",
      whoMayPrompt: "anyone",
      whoMayStop: "presenters",
      mode: "presentation",
    });
    for (const member of [cast.owner, cast.presenter, cast.participant, cast.viewer]) {
      const event = await member.next("room:updated");
      expect(event).toEqual({ roomId, room: updated.room, by: NAMES.owner });
    }
    const sent = succeeded(await participant.request("chat:send", { roomId, text: "my turn" }));
    await endOf(viewer, sent.replyId);
    expect(refusal(await viewer.request("chat:send", { roomId, text: "and mine?" }))).toBe("forbidden");
    const { joined } = await joinAs(node.url, { roomId, name: "Later" });
    expect(joined.room).toEqual(updated.room);
  });
});

describe("the question queue", () => {
  it("viewers submit, everyone gets queue:changed patches, votes count once per voter id (signed by the server), most votes first", async () => {
    const { roomId, presenter, viewer } = await castOf(node.url, { title: "Queue", mode: "presentation" });
    const { member: one, joined: oneJoined } = await joinAs(node.url, { roomId, name: "One" });
    // The same browser in a second tab presents the voter id its first join got.
    const { member: oneAgain } = await joinAs(node.url, { roomId, name: "One", voter: oneJoined.voter });
    const { member: two } = await joinAs(node.url, { roomId, name: "Two" });
    const q1 = succeeded(await one.request("queue:submit", { roomId, text: "First?" })).questionId;
    const q2 = succeeded(await two.request("queue:submit", { roomId, text: "Second?" })).questionId;
    const q3 = succeeded(await one.request("queue:submit", { roomId, text: "Third?" })).questionId;
    await viewer.queueMatching((q) => q.count === 3);

    const vote = async (member: RoomMember, questionId: string) =>
      succeeded(await member.request("queue:vote", { roomId, questionId })).votes;
    expect(await vote(one, q3)).toBe(1);
    expect(await vote(oneAgain, q3)).toBe(1);
    expect(await vote(one, q3)).toBe(1);
    expect(await vote(two, q3)).toBe(2);
    expect(await vote(presenter, q2)).toBe(1);
    expect(await vote(presenter, q2)).toBe(1);
    const order = [
      [q3, 2],
      [q2, 1],
      [q1, 0],
    ];
    for (const member of [presenter, viewer, oneAgain])
      await member.queueMatching((q) => JSON.stringify(ids(q.questions)) === JSON.stringify(order));
    const { joined } = await joinAs(node.url, { roomId, name: "Late" });
    expect(ids(joined.queue)).toEqual(order);
    expect(joined.queueCount).toBe(3);
    expect(joined.queue[0]).toMatchObject({ id: q3, roomId, text: "Third?", author: "One", votes: 2 });
    expect(refusal(await one.request("queue:vote", { roomId, questionId: "no-such-question" }))).toBe("not_found");
  });

  it("one connection votes once however often it re-joins (fresh client ids, forged or other voter ids); a forged id gets a fresh voter", async () => {
    const { roomId, viewer } = await castOf(node.url, { title: "Ballot stuffing", mode: "presentation" });
    const { questionId } = succeeded(await viewer.request("queue:submit", { roomId, text: "Vote for me?" }));
    const { member: stuffer, joined } = await joinAs(node.url, { roomId, name: "Stuffer", clientId: "fresh-client-0" });
    const { joined: someoneElse } = await joinAs(node.url, { roomId, name: "Else" });
    const [id] = joined.voter.split(".");
    const presented = [undefined, "forged.voter", `${id}.${"A".repeat(22)}`, someoneElse.voter, `${id}.${id}`];
    const votes: number[] = [];
    for (const [i, voter] of presented.entries()) {
      const again = succeeded(
        await stuffer.request("room:join", {
          roomId,
          name: "Stuffer",
          clientId: `fresh-client-${i + 1}`,
          ...(voter ? { voter } : {}),
        }),
      );
      expect(again.voter).toBe(joined.voter);
      votes.push(succeeded(await stuffer.request("queue:vote", { roomId, questionId })).votes);
    }
    expect(votes).toEqual([1, 1, 1, 1, 1]);

    const { member: forger, joined: forgerJoined } = await joinAs(node.url, {
      roomId,
      name: "Forger",
      voter: `${id}.${"A".repeat(22)}`,
    });
    expect(forgerJoined.voter).not.toBe(joined.voter);
    expect(forgerJoined.voter.split(".")[0]).not.toBe(id);
    expect(succeeded(await forger.request("queue:vote", { roomId, questionId })).votes).toBe(2);
    const { member: sameBrowser } = await joinAs(node.url, { roomId, name: "Stuffer", voter: joined.voter });
    expect(succeeded(await sameBrowser.request("queue:vote", { roomId, questionId })).votes).toBe(2);
  });

  it("a presenter sends a queued question: the asker is its author, the presenter `sentBy`; it streams and leaves the queue; dismiss", async () => {
    const { roomId, presenter, viewer } = await castOf(node.url, { title: "Sending", mode: "presentation" });
    const asked = succeeded(await viewer.request("queue:submit", { roomId, text: "Why is the sky blue?" })).questionId;
    const dropped = succeeded(await viewer.request("queue:submit", { roomId, text: "Off topic" })).questionId;
    await presenter.queueMatching((q) => q.count === 2);

    const before = fake.requests.length;
    fake.enqueue(tokenScript(["Rayleigh ", "scattering."]));
    const sent = succeeded(await presenter.request("queue:send", { roomId, questionId: asked }));
    const question = await viewer.next("chat:message", (m) => m.id === sent.messageId);
    expect(question).toMatchObject({
      role: "user",
      author: NAMES.viewer,
      sentBy: NAMES.presenter,
      text: "Why is the sky blue?",
    });
    expect((await endOf(viewer, sent.replyId)).status).toBe("done");
    expect(textOf(viewer, sent.replyId)).toBe("Rayleigh scattering.");
    expect(turnsOf(fake.requests[before]).at(-1)).toEqual(["user", "Why is the sky blue?"]);
    await viewer.queueMatching((q) => q.count === 1 && q.questions[0]?.id === dropped);
    expect(refusal(await presenter.request("queue:send", { roomId, questionId: asked }))).toBe("not_found");

    succeeded(await presenter.request("queue:dismiss", { roomId, questionId: dropped }));
    await viewer.queueMatching((q) => q.count === 0 && q.questions.length === 0);
    expect(refusal(await presenter.request("queue:dismiss", { roomId, questionId: dropped }))).toBe("not_found");
    expect(fake.requests.length - before).toBe(1);
  });

  it("a chat room has no queue: queue:submit is forbidden", async () => {
    const roomId = adhoc("chat-queue");
    const { member } = await joinAs(node.url, { roomId, name: "Ada" });
    expect(refusal(await member.request("queue:submit", { roomId, text: "queue this" }))).toBe("forbidden");
  });

  it(`the queue refuses question ${MAX_QUEUED_QUESTIONS + 1} (queue_full) and lists the first ${MAX_LISTED_QUESTIONS}; votes go out as small patches, a question rising into the list reaches everyone`, async () => {
    const { roomId, viewer, participant, presenter } = await castOf(node.url, { title: "Full", mode: "presentation" });
    const submitted: string[] = [];
    for (let i = 0; i < MAX_QUEUED_QUESTIONS; i++)
      submitted.push(succeeded(await viewer.request("queue:submit", { roomId, text: `question ${i}` })).questionId);
    expect(refusal(await viewer.request("queue:submit", { roomId, text: "one too many" }))).toBe("queue_full");
    await presenter.queueMatching((q) => q.count === MAX_QUEUED_QUESTIONS);
    expect(presenter.queue.questions).toHaveLength(MAX_LISTED_QUESTIONS);
    expect(presenter.queue.questions[0]!.text).toBe("question 0");

    const patchesBefore = presenter.all("queue:changed").length;
    const last = submitted.at(-1)!;
    for (const member of [viewer, participant])
      succeeded(await member.request("queue:vote", { roomId, questionId: last }));
    await presenter.queueMatching((q) => q.questions[0]?.id === last && q.questions[0].votes === 2);
    const votePatches = presenter.all("queue:changed").slice(patchesBefore);
    expect(votePatches.every((p) => !p.complete && p.upserts.length <= 1 && p.removed.length === 0)).toBe(true);
    expect(Math.max(...votePatches.map((p) => JSON.stringify(p).length))).toBeLessThan(600);

    succeeded(await presenter.request("queue:dismiss", { roomId, questionId: submitted[0]! }));
    await presenter.queueMatching((q) => q.count === MAX_QUEUED_QUESTIONS - 1);
    const { joined } = await joinAs(node.url, { roomId, name: "Late" });
    for (const member of [presenter, viewer, participant]) {
      await member.queueMatching((q) => JSON.stringify(q.questions) === JSON.stringify(joined.queue));
    }
    expect(joined.queue.map((q) => q.text).slice(0, 3)).toEqual([
      `question ${MAX_QUEUED_QUESTIONS - 1}`,
      "question 1",
      "question 2",
    ]);
    // Question 49 fell below the list when question 199 rose; the dismissal brought it back (a complete patch).
    expect(joined.queue.at(-1)!.text).toBe(`question ${MAX_LISTED_QUESTIONS - 1}`);
    expect(presenter.all("queue:changed").at(-1)).toMatchObject({ complete: true, removed: [submitted[0]] });
  });
});

describe("transcript", () => {
  it("Markdown: a heading per message, user text quoted, sent by, regenerated by, stopped by; JSON: the messages", async () => {
    const { roomId, owner, presenter, viewer } = await castOf(node.url, {
      title: "Transcript talk",
      mode: "presentation",
    });
    const { questionId } = succeeded(
      await viewer.request("queue:submit", { roomId, text: "What is **bold**?\n# not a heading" }),
    );
    fake.enqueue(tokenScript(["First answer."]), tokenScript(["Second answer."]));
    const sent = succeeded(await presenter.request("queue:send", { roomId, questionId }));
    await endOf(viewer, sent.replyId);
    const regenerated = succeeded(await owner.request("chat:regenerate", { roomId, messageId: sent.replyId }));
    await endOf(viewer, regenerated.replyId);
    fake.enqueue(tokenScript(["Partial ", "rest"], { gateAfter: { tokens: 1, gate: "transcript-stop" } }));
    const stopped = succeeded(await presenter.request("chat:send", { roomId, text: "Stop me" }));
    await viewer.next("chat:delta", (d) => d.messageId === stopped.replyId);
    succeeded(await owner.request("chat:stop", { roomId, messageId: stopped.replyId }));
    await endOf(viewer, stopped.replyId);

    const md = await request(`${node.url}/api/rooms/${roomId}/transcript?format=md`);
    expect(md.status).toBe(200);
    expect(md.contentType).toMatch(/^text\/markdown/);
    const lines = md.text.split("\n");
    expect(lines[0]).toBe("# Transcript talk");
    expect(lines.filter((l) => l.startsWith("## ")).map((l) => l.replace(/ · .*/, ""))).toEqual([
      `## ${NAMES.viewer} (from the queue, sent by ${NAMES.presenter})`,
      `## ${NAMES.presenter}`,
    ]);
    expect(lines.filter((l) => l.startsWith("### ")).map((l) => l.replace(/ · \S+/, ""))).toEqual([
      "### fake-model",
      `### fake-model (regenerated by ${NAMES.owner})`,
      `### fake-model (stopped by ${NAMES.owner})`,
    ]);
    expect(lines).toContain("> What is **bold**?");
    expect(lines).toContain("> # not a heading");
    expect(lines).not.toContain("# not a heading");
    expect(md.text).toContain("\nSecond answer.\n");
    expect(md.text).toMatch(/\nPartial\s*$/);

    const json = await request(`${node.url}/api/rooms/${roomId}/transcript?format=json`);
    expect(json.status).toBe(200);
    expect(json.contentType).toMatch(/^application\/json/);
    const body = json.json as { room: { id: string; title: string }; messages: Message[] };
    expect(body.room).toMatchObject({
      id: roomId,
      title: "Transcript talk",
      mode: "presentation",
      model: "fake-model",
    });
    expect(body.messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ["user", "What is **bold**?\n# not a heading", "done"],
      ["assistant", "First answer.", "done"],
      ["assistant", "Second answer.", "done"],
      ["user", "Stop me", "done"],
      ["assistant", "Partial ", "stopped"],
    ]);
  });

  it("refuses an unknown format (400) and an unknown room (404)", async () => {
    const { room } = await createRoom(node.url, { title: "Formats" });
    const pdf = await request(`${node.url}/api/rooms/${room.id}/transcript?format=pdf`);
    expect(pdf.status).toBe(400);
    expect(pdf.json).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
    const unknown = await request(`${node.url}/api/rooms/${adhoc("no-room")}/transcript?format=md`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});

describe("the node", () => {
  it("logged no errors", () => {
    expect(problems(node)).toEqual([]);
  });
});
