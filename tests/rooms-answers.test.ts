/**
 * Answers in rooms as a product, on real nodes with the fake upstream: regenerate (what goes
 * upstream, what stays in the history), stop, typing signals, each room's model and system
 * prompt, and upstream slots (LLM_MAX_CONCURRENT: answers wait "queued").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { modelStateOf } from "@tokencast/protocol";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { textOf, turnsOf, upstreamBody } from "./helpers/room-cast.ts";
import { closeAllMembers, joinAs, refusal, succeeded, type RoomMember } from "./helpers/room-member.ts";
import { createRoom } from "./helpers/rooms-http.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const SERVER_PROMPT = "Server default prompt.";
let fake: FakeUpstream;
let node: ServerNode;
/** LLM_MAX_CONCURRENT=1: a second answer on this node waits for the first. */
let oneSlot: ServerNode;
let counter = 0;
const adhoc = (name: string) => `${name}-${++counter}`;

beforeAll(async () => {
  fake = await startFakeUpstream();
  const env = { LLM_BASE_URL: fake.url, LLM_MODEL: "fake-model", LLM_SYSTEM_PROMPT: SERVER_PROMPT };
  [node, oneSlot] = await Promise.all([startNode(env), startNode({ ...env, LLM_MAX_CONCURRENT: "1" })]);
});

afterEach(() => closeAllMembers());

afterAll(async () => {
  await Promise.all([node?.stop(), oneSlot?.stop()]);
  await fake?.close();
});

function endOf(member: RoomMember, replyId: string) {
  return member.next("chat:end", (e) => e.messageId === replyId);
}

async function pair(url: string, roomId: string): Promise<[RoomMember, RoomMember]> {
  const { member: ada } = await joinAs(url, { roomId, name: "Ada" });
  const { member: bob } = await joinAs(url, { roomId, name: "Bob" });
  return [ada, bob];
}

describe("regenerate", () => {
  it("a new answer to the same question, from the conversation up to it; the old one stays in the history but leaves later prompts", async () => {
    const roomId = adhoc("regen");
    const [ada, bob] = await pair(node.url, roomId);
    fake.enqueue(tokenScript(["First ", "answer."]));
    const first = succeeded(await ada.request("chat:send", { roomId, text: "Question one" }));
    await endOf(bob, first.replyId);

    const before = fake.requests.length;
    fake.enqueue(tokenScript(["Better ", "answer."]));
    const regen = succeeded(await bob.request("chat:regenerate", { roomId, messageId: first.replyId }));
    const message = await ada.next("chat:message", (m) => m.id === regen.replyId);
    expect(message).toMatchObject({
      role: "assistant",
      regenerates: first.replyId,
      regeneratedBy: "Bob",
      replyTo: first.messageId,
    });
    expect((await endOf(ada, regen.replyId)).status).toBe("done");
    expect(textOf(ada, regen.replyId)).toBe("Better answer.");
    expect(turnsOf(fake.requests[before])).toEqual([
      ["system", SERVER_PROMPT],
      ["user", "Question one"],
    ]);

    fake.enqueue(tokenScript(["Third."]));
    const second = succeeded(await ada.request("chat:send", { roomId, text: "Question two" }));
    await endOf(ada, second.replyId);
    expect(turnsOf(fake.requests[before + 1])).toEqual([
      ["system", SERVER_PROMPT],
      ["user", "Question one"],
      ["assistant", "Better answer."],
      ["user", "Question two"],
    ]);
    const { joined } = await joinAs(node.url, { roomId, name: "Cy" });
    expect(joined.messages.map((m) => [m.role, m.text, m.regenerates ?? null])).toEqual([
      ["user", "Question one", null],
      ["assistant", "First answer.", null],
      ["assistant", "Better answer.", first.replyId],
      ["user", "Question two", null],
      ["assistant", "Third.", null],
    ]);
    expect(refusal(await ada.request("chat:regenerate", { roomId, messageId: first.messageId }))).toBe("not_found");
  });

  it("regenerating a streaming answer is `busy`; stop names who stopped; a stopped answer can be regenerated", async () => {
    const roomId = adhoc("regen-busy");
    const [ada, bob] = await pair(node.url, roomId);
    fake.enqueue(tokenScript(["Partial ", "never"], { gateAfter: { tokens: 1, gate: "regen-busy" } }));
    const sent = succeeded(await ada.request("chat:send", { roomId, text: "Go" }));
    await bob.next("chat:delta", (d) => d.messageId === sent.replyId);
    expect(refusal(await bob.request("chat:regenerate", { roomId, messageId: sent.replyId }))).toBe("busy");
    succeeded(await bob.request("chat:stop", { roomId, messageId: sent.replyId }));
    expect(await endOf(ada, sent.replyId)).toMatchObject({ status: "stopped", stoppedBy: "Bob" });

    fake.enqueue(tokenScript(["Whole."]));
    const regen = succeeded(await ada.request("chat:regenerate", { roomId, messageId: sent.replyId }));
    expect((await endOf(bob, regen.replyId)).status).toBe("done");
    expect(turnsOf(fake.requests.at(-1))).toEqual([
      ["system", SERVER_PROMPT],
      ["user", "Go"],
    ]);
  });
});

describe("typing", () => {
  it("reaches the others but not the typist, at most once a second; sending clears it; viewers may not type", async () => {
    const roomId = adhoc("typing");
    const [ada, bob] = await pair(node.url, roomId);
    const { member: vic } = await joinAs(node.url, { roomId, name: "Vic", role: "viewer" });
    const signals = (member: RoomMember) => member.all("room:typing").map((e) => [e.member.name, e.typing]);
    for (const typing of [true, true, true, false]) succeeded(await ada.request("room:typing", { roomId, typing }));
    await bob.next("room:typing", (e) => !e.typing);
    await vic.next("room:typing", (e) => !e.typing);
    expect(signals(bob)).toEqual([
      ["Ada", true],
      ["Ada", false],
    ]);
    expect(signals(vic)).toEqual(signals(bob));

    expect(refusal(await vic.request("room:typing", { roomId, typing: true }))).toBe("forbidden");
    succeeded(await ada.request("room:typing", { roomId, typing: true }));
    const sent = succeeded(await ada.request("chat:send", { roomId, text: "typed it" }));
    await bob.next("room:typing", (e) => !e.typing && bob.all("room:typing").length > 3);
    expect(signals(bob)).toEqual([
      ["Ada", true],
      ["Ada", false],
      ["Ada", true],
      ["Ada", false],
    ]);
    // Every broadcast reached Ada's socket before her last ack: she never heard her own typing.
    await endOf(ada, sent.replyId);
    expect(ada.all("room:typing")).toEqual([]);
  });
});

describe("each room's model and system prompt", () => {
  it("go upstream, show in RoomInfo and on answers, and a change applies to the next answer", async () => {
    const created = await createRoom(node.url, {
      title: "Models",
      model: "room-model-a",
      systemPrompt: "You are terse.",
    });
    const roomId = created.room.id;
    const { member: owner, joined } = await joinAs(node.url, { roomId, name: "Olga", key: created.ownerKey });
    expect(joined.room.model).toBe("room-model-a");

    const ask = async (text: string) => {
      const before = fake.requests.length;
      const sent = succeeded(await owner.request("chat:send", { roomId, text }));
      await endOf(owner, sent.replyId);
      const answer = owner.all("chat:message").find((m) => m.id === sent.replyId);
      return { body: upstreamBody(fake.requests[before]), answer };
    };
    const first = await ask("q1");
    expect(first.body.model).toBe("room-model-a");
    expect(first.body.messages[0]).toEqual({ role: "system", content: "You are terse." });
    expect(first.answer).toMatchObject({ model: "room-model-a", author: "room-model-a" });

    const updated = succeeded(
      await owner.request("room:update", { roomId, settings: { model: "room-model-b", systemPrompt: null } }),
    );
    expect(updated.room.model).toBe("room-model-b");
    expect(updated.room.settings).not.toHaveProperty("systemPrompt");
    const second = await ask("q2");
    expect(second.body.model).toBe("room-model-b");
    expect(second.body.messages[0]).toEqual({ role: "system", content: SERVER_PROMPT });

    succeeded(
      await owner.request("room:update", { roomId, settings: { model: null, systemPrompt: "Speak like a pirate." } }),
    );
    const third = await ask("q3");
    expect(third.body.model).toBe("fake-model");
    expect(third.body.messages[0]).toEqual({ role: "system", content: "Speak like a pirate." });
  });
});

describe("upstream slots (LLM_MAX_CONCURRENT=1)", () => {
  it("a second room's answer waits `queued` (a joiner sees it so), then is re-sent without it and streams when the first ends", async () => {
    const [roomA, roomB] = [adhoc("slot-a"), adhoc("slot-b")];
    const { member: ann } = await joinAs(oneSlot.url, { roomId: roomA, name: "Ann" });
    const { member: ben } = await joinAs(oneSlot.url, { roomId: roomB, name: "Ben" });
    const before = fake.requests.length;
    fake.enqueue(
      tokenScript(["A1 ", "A2"], { gateAfter: { tokens: 1, gate: "slot-first" } }),
      tokenScript(["B ", "answer."]),
    );
    const first = succeeded(await ann.request("chat:send", { roomId: roomA, text: "first" }));
    await ann.next("chat:delta", (d) => d.messageId === first.replyId);
    const second = succeeded(await ben.request("chat:send", { roomId: roomB, text: "second" }));
    await ben.next("chat:message", (m) => m.id === second.replyId && m.queued === true);
    const { member: late, joined } = await joinAs(oneSlot.url, { roomId: roomB, name: "Late" });
    expect(modelStateOf(joined.messages)).toBe("queued");
    expect(fake.requests.length - before).toBe(1);

    fake.release("slot-first");
    expect((await endOf(ben, second.replyId)).status).toBe("done");
    expect(textOf(ben, second.replyId)).toBe("B answer.");
    expect(turnsOf(fake.requests[before + 1]).at(-1)).toEqual(["user", "second"]);
    const seen = ben.received.filter(
      (r) =>
        (r.payload as { id?: string; messageId?: string }).id === second.replyId ||
        (r.payload as { messageId?: string }).messageId === second.replyId,
    );
    const queuedAt = seen.findIndex(
      (r) => r.event === "chat:message" && (r.payload as { queued?: boolean }).queued === true,
    );
    const resentAt = seen.findIndex(
      (r, i) => i > queuedAt && r.event === "chat:message" && !(r.payload as { queued?: boolean }).queued,
    );
    const firstDeltaAt = seen.findIndex((r) => r.event === "chat:delta");
    expect(queuedAt).toBeGreaterThanOrEqual(0);
    expect(resentAt).toBeGreaterThan(queuedAt);
    expect(firstDeltaAt).toBeGreaterThan(resentAt);
    await late.next("chat:message", (m) => m.id === second.replyId && !m.queued);
    expect(await endOf(ann, first.replyId)).toMatchObject({ status: "done" });
  });

  it("stopping a queued answer ends it `stopped` without ever calling upstream", async () => {
    const [roomC, roomD] = [adhoc("slot-c"), adhoc("slot-d")];
    const { member: cat } = await joinAs(oneSlot.url, { roomId: roomC, name: "Cat" });
    const { member: dan } = await joinAs(oneSlot.url, { roomId: roomD, name: "Dan" });
    fake.enqueue(tokenScript(["C1 ", "C2"], { gateAfter: { tokens: 1, gate: "slot-stop" } }));
    const first = succeeded(await cat.request("chat:send", { roomId: roomC, text: "hold the slot" }));
    await cat.next("chat:delta", (d) => d.messageId === first.replyId);
    const before = fake.requests.length;
    const waiting = succeeded(await dan.request("chat:send", { roomId: roomD, text: "never asked" }));
    await dan.next("chat:message", (m) => m.id === waiting.replyId && m.queued === true);
    succeeded(await dan.request("chat:stop", { roomId: roomD, messageId: waiting.replyId }));
    expect(await endOf(dan, waiting.replyId)).toMatchObject({ status: "stopped", stoppedBy: "Dan", seq: 0 });

    fake.release("slot-stop");
    await endOf(cat, first.replyId);
    fake.enqueue(tokenScript(["After."]));
    const next = succeeded(await dan.request("chat:send", { roomId: roomD, text: "now ask" }));
    await endOf(dan, next.replyId);
    expect(fake.requests.length - before).toBe(1);
    expect(turnsOf(fake.requests[before]).filter(([role]) => role === "user")).toEqual([
      ["user", "never asked"],
      ["user", "now ask"],
    ]);
  });
});

describe("the nodes", () => {
  it("logged no errors", () => {
    expect([...problems(node), ...problems(oneSlot)]).toEqual([]);
  });
});
