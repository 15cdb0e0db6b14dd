/**
 * REDIS_URL set: rooms live in a private redis-server and nodes share them through the
 * Socket.IO Redis adapter. (Cross-node answer ownership — stop from another node, takeover of a
 * dead owner — is covered by the scale-out tests.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, ended, rawClient, viewer } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

let redis: RedisProcess;
let fake: FakeUpstream;
const nodes: ServerNode[] = [];
let prefixCounter = 0;

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeUpstream()]);
});

afterEach(async () => {
  closeAllClients();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
});

afterAll(async () => {
  await fake?.close();
  await redis?.close();
});

/** `count` nodes sharing one key prefix (a fresh one unless `reuse` names an earlier prefix). */
async function cluster(count: number, reuse?: number): Promise<ServerNode[]> {
  const prefix = `t${reuse ?? ++prefixCounter}:`;
  const started = await Promise.all(
    Array.from({ length: count }, () =>
      startNode({ LLM_BASE_URL: fake.url, REDIS_URL: redis.url, REDIS_PREFIX: prefix }),
    ),
  );
  nodes.push(...started);
  return started;
}

const TOKENS = Array.from({ length: 60 }, (_, i) => `w${i} `);

describe("Redis mode", () => {
  it("says so at startup, reports Redis in /readyz, and keeps history across a restart", async () => {
    const [first] = await cluster(1);
    expect(first!.logs.some((l) => String(l.msg).includes("kept in Redis"))).toBe(true);
    expect(await (await fetch(`${first!.url}/readyz`)).json()).toMatchObject({ ok: true, checks: { redis: true } });
    const v = await viewer(first!.url, "persist", "Ada");
    fake.enqueue(tokenScript(["Kept ", "across ", "restarts."]));
    const { replyId } = await v.send("remember this");
    await ended(v, replyId);
    closeAllClients();
    await first!.stop();

    const [second] = await cluster(1, prefixCounter);
    const client = await rawClient(second!.url);
    const snapshot = await client.join("persist", "Bob");
    expect(snapshot.messages.map((m) => [m.role, m.text, m.status])).toEqual([
      ["user", "remember this", "done"],
      ["assistant", "Kept across restarts.", "done"],
    ]);
  });

  it("two nodes: viewers on both get the identical answer from one upstream request; late join and resume work on the other node", async () => {
    const [a, b] = await cluster(2);
    const onA = await viewer(a!.url, "shared", "on-a");
    const onB = await viewer(b!.url, "shared", "on-b");
    const requests = fake.requests.length;
    fake.enqueue(tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: 25, gate: "two-nodes" } }));
    const { replyId } = await onA.send("across nodes");
    await waitFor(() => onB.getMessage(replyId)?.text === expectedText(TOKENS.slice(0, 25)), {
      what: "B to see the first part",
    });

    const late = await rawClient(b!.url);
    const snapshot = await late.join("shared", "late-on-b");
    const partial = snapshot.messages.find((m) => m.id === replyId)!;
    expect(partial.text).toBe(expectedText(TOKENS.slice(0, 25)));

    fake.release("two-nodes");
    const [fa, fb] = await Promise.all([ended(onA, replyId), ended(onB, replyId)]);
    expect(fa.text).toBe(expectedText(TOKENS));
    expect(fb.text).toBe(fa.text);
    expect(fake.requests.length - requests).toBe(1);

    await waitFor(() => late.ends.find((e) => e.messageId === replyId));
    const rest = late.deltas.filter((d) => d.messageId === replyId && d.seq > partial.seq);
    expect(partial.text + rest.map((d) => d.text).join("")).toBe(fa.text);
    const resumed = (await late.emit("chat:resume", { roomId: "shared", messageId: replyId, afterSeq: 0 })) as {
      deltas: Array<{ text: string }>;
      status: string;
    };
    expect(resumed.status).toBe("done");
    expect(resumed.deltas.map((d) => d.text).join("")).toBe(fa.text);
    for (const node of [a!, b!]) expect(problems(node)).toEqual([]);
  });
});

describe("cross-node stop", () => {
  it("a viewer on another node stops the answer: the owner closes the upstream request and everyone gets `stopped`", async () => {
    const [a, b] = await cluster(2);
    const asker = await viewer(a!.url, "stop-across", "asker-on-a");
    const stopper = await viewer(b!.url, "stop-across", "stopper-on-b");
    const index = fake.requests.length;
    fake.enqueue(tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: 10, gate: "never" } }));
    const { replyId } = await asker.send("please stop me");
    const partial = expectedText(TOKENS.slice(0, 10));
    await waitFor(() => stopper.getMessage(replyId)?.text === partial, { what: "B to see the partial answer" });
    await stopper.stop(replyId);
    await fake.waitForClosed(index);
    for (const v of [asker, stopper]) {
      const final = await ended(v, replyId);
      expect(final).toMatchObject({ status: "stopped", stoppedBy: "stopper-on-b", text: partial });
    }
    await expect(stopper.stop(replyId)).rejects.toMatchObject({ code: "not_streaming" });
  });
});

describe("one answer per room, cluster-wide", () => {
  it("a question on another node while an answer streams gets `busy`; once it ends, that node answers", async () => {
    const [a, b] = await cluster(2);
    const onA = await viewer(a!.url, "one-at-a-time", "on-a");
    const onB = await viewer(b!.url, "one-at-a-time", "on-b");
    fake.enqueue(tokenScript(["first ", "answer"], { gateAfter: { tokens: 1, gate: "cluster-busy" } }));
    const first = await onA.send("first");
    await waitFor(() => (onB.getMessage(first.replyId)?.seq ?? 0) > 0);
    await expect(onB.send("second")).rejects.toMatchObject({ code: "busy" });
    fake.release("cluster-busy");
    await ended(onB, first.replyId);
    fake.enqueue(tokenScript(["second answer"]));
    const second = await waitFor(() => onB.send("second").catch(() => undefined), {
      what: "B to take the next question",
    });
    expect((await ended(onA, second.replyId)).text).toBe("second answer");
    expect(onA.messages.filter((m) => m.role === "user").map((m) => m.text)).toEqual(["first", "second"]);
  });
});
