/**
 * One node, real sockets, the fake upstream: the same answer reaches every viewer exactly once,
 * whether they watch from the start, join late or drop and come back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, ended, rawClient, viewer, viewers } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

let fake: FakeUpstream;
let node: ServerNode;
let roomCounter = 0;
const room = () => `stream-${++roomCounter}`;

beforeAll(async () => {
  fake = await startFakeUpstream();
  node = await startNode({ LLM_BASE_URL: fake.url, LLM_MODEL: "fake-model", COALESCE_MS: "30" });
});

afterEach(() => closeAllClients());

afterAll(async () => {
  await node?.stop();
  await fake?.close();
});

const TOKENS = Array.from({ length: 120 }, (_, i) => (i % 7 === 0 ? `\n- item ${i} ` : `tok${i} `)).concat([
  "🙂 é 漢字 done.",
]);

describe("fan-out on one node", () => {
  it("25 viewers get identical text equal to what the upstream sent, from one upstream request", async () => {
    const roomId = room();
    const all = await viewers(node.url, roomId, 25);
    const before = fake.requests.length;
    fake.enqueue(tokenScript(TOKENS, { flavour: "llamacpp", delayMs: 2 }));
    const { replyId } = await all[0]!.send("Tell me a list");
    const finals = await Promise.all(all.map((v) => ended(v, replyId)));
    for (const message of finals) {
      expect(message.status).toBe("done");
      expect(message.text).toBe(expectedText(TOKENS));
    }
    expect(new Set(finals.map((m) => m.seq)).size).toBe(1);
    expect(fake.requests.length - before).toBe(1);
    expect(all.every((v) => v.stats.duplicatesIgnored === 0 && v.stats.gapsDetected === 0)).toBe(true);
    // Coalescing: far fewer deltas than tokens is not asserted on timing, only that seqs are dense.
    expect(finals[0]!.seq).toBeGreaterThan(0);
    expect(problems(node)).toEqual([]);
  });

  it("sends the room's history upstream as chat turns", async () => {
    const roomId = room();
    const v = await viewer(node.url, roomId, "Ada");
    fake.enqueue(tokenScript(["First answer."]), tokenScript(["Second answer."]));
    const first = await v.send("First question");
    await ended(v, first.replyId);
    const second = await v.send("Second question");
    await ended(v, second.replyId);
    const body = fake.requests.at(-1)!.body as {
      model: string;
      stream: boolean;
      messages: Array<{ role: string; content: string }>;
    };
    expect(body.stream).toBe(true);
    expect(body.model).toBe("fake-model");
    expect(body.messages.map((m) => [m.role, m.content])).toEqual([
      ["system", expect.any(String)],
      ["user", "First question"],
      ["assistant", "First answer."],
      ["user", "Second question"],
    ]);
  });
});

describe("late join and resume", () => {
  it("a viewer joining mid-answer gets the snapshot, then exactly the rest", async () => {
    const roomId = room();
    const asker = await viewer(node.url, roomId, "asker");
    fake.enqueue(tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: 40, gate: "late-join" } }));
    const { replyId } = await asker.send("go");
    await waitFor(() => (asker.getMessage(replyId)?.text.length ?? 0) >= expectedText(TOKENS.slice(0, 40)).length);

    const late = await rawClient(node.url);
    const snapshot = await late.join(roomId, "late");
    const partial = snapshot.messages.find((m) => m.id === replyId)!;
    expect(partial.status).toBe("streaming");
    expect(partial.seq).toBeGreaterThan(0);
    expect(expectedText(TOKENS).startsWith(partial.text)).toBe(true);

    fake.release("late-join");
    await waitFor(() => late.ends.find((e) => e.messageId === replyId));
    const after = late.deltas.filter((d) => d.messageId === replyId && d.seq > partial.seq);
    expect(after.map((d) => d.seq)).toEqual(range(partial.seq + 1, late.ends[0]!.seq));
    expect(partial.text + after.map((d) => d.text).join("")).toBe(expectedText(TOKENS));
  });

  it("a viewer that drops mid-answer and reconnects ends with the full text, nothing lost or doubled", async () => {
    const roomId = room();
    const [asker, dropper] = await Promise.all([
      viewer(node.url, roomId, "asker"),
      viewer(node.url, roomId, "dropper"),
    ]);
    fake.enqueue(tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: 30, gate: "drop" } }));
    const { replyId } = await asker.send("go");
    await waitFor(() => (dropper.getMessage(replyId)?.seq ?? 0) > 0);
    const joinsBefore = dropper.stats.joins;
    dropper.socket.io.engine.close(); // the transport dies; socket.io reconnects by itself
    await waitFor(() => dropper.state !== "live", { what: "dropper to notice the drop" });
    fake.release("drop");
    await waitFor(() => dropper.state === "live" && dropper.stats.joins > joinsBefore, { what: "dropper to rejoin" });
    const [a, d] = await Promise.all([ended(asker, replyId), ended(dropper, replyId)]);
    expect(d.text).toBe(expectedText(TOKENS));
    expect(a.text).toBe(d.text);
    expect(dropper.messages.filter((m) => m.id === replyId)).toHaveLength(1);
  });

  it("chat:resume returns the deltas after a seq, and the status", async () => {
    const roomId = room();
    const client = await rawClient(node.url);
    await client.join(roomId, "resumer");
    fake.enqueue(tokenScript(TOKENS.slice(0, 50), { delayMs: 1 }));
    const sent = (await client.emit("chat:send", { roomId, text: "go" })) as { ok: true; replyId: string };
    const end = await waitFor(() => client.ends.find((e) => e.messageId === sent.replyId));
    const resumed = (await client.emit("chat:resume", { roomId, messageId: sent.replyId, afterSeq: 2 })) as {
      ok: true;
      deltas: Array<{ seq: number; text: string }>;
      status: string;
    };
    expect(resumed.ok).toBe(true);
    expect(resumed.status).toBe("done");
    expect(resumed.deltas.map((d) => d.seq)).toEqual(range(3, end.seq));
    const live = client.deltas.filter((d) => d.messageId === sent.replyId);
    expect(live.slice(2)).toEqual(resumed.deltas.map((d) => ({ ...d, roomId, messageId: sent.replyId })));
  });
});

describe("stop", () => {
  it("chat:stop closes the upstream connection and every viewer gets `stopped` with the same partial text", async () => {
    const roomId = room();
    const [asker, other, third] = await viewers(node.url, roomId, 3);
    fake.enqueue(tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: 20, gate: "never-released" } }));
    const before = fake.requests.length;
    const { replyId } = await asker!.send("go");
    const partial = expectedText(TOKENS.slice(0, 20));
    await waitFor(() => third!.getMessage(replyId)?.text === partial, { what: "the gated prefix to arrive" });
    await other!.stop(replyId);
    await fake.waitForClosed(before);
    const finals = await Promise.all([asker!, other!, third!].map((v) => ended(v, replyId)));
    for (const m of finals) {
      expect(m.status).toBe("stopped");
      expect(m.stoppedBy).toBe("viewer-2");
      expect(m.text).toBe(partial);
    }
    // The room takes the next question.
    fake.enqueue(tokenScript(["Next."]));
    const next = await third!.send("again");
    expect((await ended(asker!, next.replyId)).text).toBe("Next.");
  });

  it("the asker disconnecting does not stop the answer", async () => {
    const roomId = room();
    const [asker, watcher] = await Promise.all([
      viewer(node.url, roomId, "asker"),
      viewer(node.url, roomId, "watcher"),
    ]);
    fake.enqueue(tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: 10, gate: "asker-leaves" } }));
    const before = fake.requests.length;
    const { replyId } = await asker.send("go");
    await waitFor(() => (watcher.getMessage(replyId)?.seq ?? 0) > 0);
    asker.close();
    await waitFor(() => watcher.members.length === 1, { what: "presence to drop the asker" });
    fake.release("asker-leaves");
    const final = await ended(watcher, replyId);
    expect(final.status).toBe("done");
    expect(final.text).toBe(expectedText(TOKENS));
    expect(fake.requests[before]!.closedByClient).toBe(false);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
