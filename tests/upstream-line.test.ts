/**
 * The cluster's line for the LLM (LLM_MAX_CONCURRENT in Redis mode): two nodes share one bound,
 * answers wait first come, first served, and each room sees its place in line change live.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { closeAllMembers, joinAs, succeeded } from "./helpers/room-member.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

let redis: RedisProcess;
let fake: FakeUpstream;
let a: ServerNode;
let b: ServerNode;

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeUpstream()]);
  const env = {
    LLM_BASE_URL: fake.url,
    LLM_MODEL: "fake-model",
    REDIS_URL: redis.url,
    REDIS_PREFIX: "line:",
    LLM_MAX_CONCURRENT: "1",
  };
  [a, b] = await Promise.all([startNode(env), startNode(env)]);
});

afterEach(() => closeAllMembers());

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await fake?.close();
  await redis?.close();
});

describe("one line for the LLM across nodes", () => {
  it("a second and third answer on other nodes wait in order, see their places move, and stream one at a time", async () => {
    const { member: ann } = await joinAs(a.url, { roomId: "line-a", name: "Ann" });
    const { member: ben } = await joinAs(b.url, { roomId: "line-b", name: "Ben" });
    const { member: cat } = await joinAs(a.url, { roomId: "line-c", name: "Cat" });
    fake.enqueue(
      tokenScript(["A1 ", "A2"], { gateAfter: { tokens: 1, gate: "line-a" } }),
      tokenScript(["B1 ", "B2"], { gateAfter: { tokens: 1, gate: "line-b" } }),
      tokenScript(["C."]),
    );
    const first = succeeded(await ann.request("chat:send", { roomId: "line-a", text: "a" }));
    await ann.next("chat:delta", (d) => d.messageId === first.replyId);
    const second = succeeded(await ben.request("chat:send", { roomId: "line-b", text: "b" }));
    await ben.next("chat:message", (m) => m.id === second.replyId && m.queuePosition === 1);
    const third = succeeded(await cat.request("chat:send", { roomId: "line-c", text: "c" }));
    await cat.next("chat:message", (m) => m.id === third.replyId && m.queuePosition === 2);
    expect(fake.requests).toHaveLength(1);

    fake.release("line-a");
    await ben.next("chat:delta", (d) => d.messageId === second.replyId);
    // B streams now, on the other node; C moved up to the front of the line.
    await cat.next("chat:message", (m) => m.id === third.replyId && m.queuePosition === 1);
    expect(fake.requests).toHaveLength(2);

    fake.release("line-b");
    const end = await cat.next("chat:end", (e) => e.messageId === third.replyId);
    expect(end.status).toBe("done");
    expect(fake.requests).toHaveLength(3);
    const sawQueued = cat.received.some(
      (r) =>
        r.event === "chat:message" &&
        (r.payload as { id?: string; queued?: boolean }).id === third.replyId &&
        (r.payload as { queued?: boolean }).queued === false,
    );
    expect(sawQueued).toBe(true);
    for (const node of [a, b]) expect(problems(node)).toEqual([]);
  });
});
