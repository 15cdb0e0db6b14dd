/**
 * While Redis is down (killed) or frozen (SIGSTOP: connections stay open and nothing answers, as
 * behind a network partition), a node answers at once: every call that needs the store fails
 * with `store_unavailable` (an SSE request and an API read with 503) instead of waiting in
 * ioredis's offline queue (killed, before the fix: join 2.6 s, send 10 s, resume 12 s, API 12 s,
 * SSE 16 s) or hanging (frozen); an answer in progress keeps its text and ends once Redis is back,
 * and the node serves again. The latencies are printed; the bound asserted (1500 ms) is the
 * requirement (1 s) plus slack for a loaded machine.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, rawClient, type RawClient } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { closeAllSse, openSse } from "./helpers/sse-client.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const FAIL_FAST_MS = 1500;
/** Long enough to measure today's slow failures instead of timing out the ack. */
const ACK_WAIT_MS = 20_000;

let redis: RedisProcess;
let fake: FakeUpstream;
let node: ServerNode;

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeUpstream()]);
  // Half the default command timeout (1 s): the frozen case's first call waits for it, and the
  // bound below must hold with room to spare on a loaded machine.
  node = await startNode({
    LLM_BASE_URL: fake.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: "outage:",
    REDIS_COMMAND_TIMEOUT_MS: "500",
  });
});

afterAll(async () => {
  closeAllClients();
  closeAllSse();
  await node?.stop();
  await fake?.close();
  await redis?.close();
});

type Ack = { ok: true; [key: string]: unknown } | { ok: false; error: { code: string; message: string } };

function emit(client: RawClient, event: string, payload: unknown): Promise<Ack> {
  return (
    client.socket.timeout(ACK_WAIT_MS) as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack> }
  ).emitWithAck(event, payload);
}

/** Runs `call`, prints how long it took, and checks it was quick. */
async function timed<T>(what: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await call();
  const elapsed = Math.round(performance.now() - started);
  console.log(`Redis down: ${what} answered in ${elapsed} ms`);
  expect.soft(elapsed, `${what} took ${elapsed} ms`).toBeLessThan(FAIL_FAST_MS);
  return result;
}

async function readyz(): Promise<{ checks: { redis: boolean } }> {
  return (await fetch(`${node.url}/readyz`)).json() as Promise<{ checks: { redis: boolean } }>;
}

async function askAndWait(client: RawClient, roomId: string, text: string): Promise<string> {
  fake.enqueue(tokenScript(["Stored ", "answer."]));
  const ack = await emit(client, "chat:send", { roomId, text });
  if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack)}`);
  const replyId = ack.replyId as string;
  await waitFor(() => client.ends.find((e) => e.messageId === replyId), { what: "the answer to end" });
  return replyId;
}

/** The five calls a member or a consumer makes, each refused at once. */
async function expectFailFast(member: RawClient, roomId: string, replyId: string): Promise<void> {
  const unavailable = { ok: false, error: { code: "store_unavailable" } };
  expect(
    await timed("room:join", () => emit(member, "room:join", { roomId: `${roomId}-other`, name: "Ada" })),
  ).toMatchObject(unavailable);
  expect(
    await timed("chat:send", () => emit(member, "chat:send", { roomId, text: "during the outage" })),
  ).toMatchObject(unavailable);
  expect(
    await timed("chat:resume", () => emit(member, "chat:resume", { roomId, messageId: replyId, afterSeq: 0 })),
  ).toMatchObject(unavailable);
  const api = await timed("GET /api/rooms/:id", () => fetch(`${node.url}/api/rooms/${roomId}`));
  expect(api.status).toBe(503);
  expect(await api.json()).toMatchObject({ error: { code: "store_unavailable" } });
  const sse = await timed("GET /api/rooms/:id/events", () => openSse(`${node.url}/api/rooms/${roomId}/events`));
  expect(sse.status).toBe(503);
  expect(sse.body).toMatchObject({ error: { code: "store_unavailable" } });
}

/** A new member joins, asks and gets an answer; the API and SSE answer 200. */
async function expectServing(roomId: string): Promise<void> {
  const member = await rawClient(node.url);
  await waitFor(
    () =>
      member.join(roomId, "Bob").then(
        () => true,
        () => false,
      ),
    { what: "a join to succeed again" },
  );
  await askAndWait(member, roomId, "after the outage");
  expect((await fetch(`${node.url}/api/rooms/${roomId}`)).status).toBe(200);
  const stream = await openSse(`${node.url}/api/rooms/${roomId}/events`);
  expect(stream.status).toBe(200);
  stream.close();
}

const LONG_ANSWER = Array.from({ length: 20 }, (_, i) => `t${i} `);

/** A member watching an answer that streams its first tokens, then waits for the gate `through-the-freeze`. */
async function answerInProgress(roomId: string): Promise<{ watcher: RawClient; streamingId: string }> {
  const watcher = await rawClient(node.url);
  await watcher.join(roomId, "Cy");
  fake.enqueue(tokenScript(LONG_ANSWER, { gateAfter: { tokens: 5, gate: "through-the-freeze" } }));
  const ack = await emit(watcher, "chat:send", { roomId, text: "answer through the freeze" });
  if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack)}`);
  const streamingId = ack.replyId as string;
  await waitFor(() => watcher.deltas.some((d) => d.messageId === streamingId), {
    what: "the answer to start streaming",
  });
  return { watcher, streamingId };
}

async function memberWithAnswer(roomId: string): Promise<{ member: RawClient; replyId: string }> {
  const member = await rawClient(node.url);
  await member.join(roomId, "Ada");
  return { member, replyId: await askAndWait(member, roomId, "before the outage") };
}

describe("Redis outage", () => {
  it("Redis killed: joins, sends, resumes, API reads and SSE opens fail fast with store_unavailable; after it restarts the node serves again", async () => {
    const { member, replyId } = await memberWithAnswer("killed");
    await redis.kill();
    await waitFor(async () => !(await readyz()).checks.redis, { what: "the node to notice Redis is down" });
    await expectFailFast(member, "killed", replyId);

    await redis.restart();
    await waitFor(async () => (await readyz()).checks.redis, { what: "the node to see Redis again" });
    await expectServing("killed");
    expect(problems(node)).toEqual([]);
  });

  it("Redis frozen (connections open, no replies, as behind a partition): the same calls fail within the command timeout; an answer in progress keeps its text and ends once Redis answers; then it serves again", async () => {
    const { member, replyId } = await memberWithAnswer("frozen");
    const { watcher, streamingId } = await answerInProgress("frozen-streaming");
    redis.pause();
    try {
      fake.release("through-the-freeze"); // the rest of the answer arrives while Redis is frozen
      await expectFailFast(member, "frozen", replyId);
      await waitFor(() => node.logs.some((l) => String(l.msg).startsWith("could not append")), {
        what: "the answer's writes to fail meanwhile",
      });
    } finally {
      redis.resume();
    }
    const end = await waitFor(() => watcher.ends.find((e) => e.messageId === streamingId), {
      what: "the answer to end after the freeze",
    });
    expect(end.status).toBe("done");
    const text = watcher.deltas
      .filter((d) => d.messageId === streamingId)
      .map((d) => d.text)
      .join("");
    expect(text).toBe(expectedText(LONG_ANSWER));
    await expectServing("frozen");
    expect(problems(node)).toEqual([]);
  });
});
