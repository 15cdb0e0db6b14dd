/**
 * The LLM's load by default (issue 11, defect 5), on a real node with the server's defaults:
 * at most LLM_MAX_CONCURRENT (4) upstream requests at once, the rest queued visibly; at most
 * ANSWERS_PER_IP_PER_MINUTE (10) answers started per address; and an ad-hoc room's answer that
 * nobody watches any more stops after ABANDONED_ANSWER_GRACE_MS, closing its upstream request.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import type { EndEvent, Message } from "@tokencast/protocol";
import { socketFrom as connectFrom } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

type SendAck = { ok: boolean; replyId?: string; error?: { code: string; retryAfter?: number } };

const GRACE_MS = 1000;
let fake: FakeUpstream;
let node: ServerNode;
const sockets: Socket[] = [];

beforeAll(async () => {
  fake = await startFakeUpstream();
  node = await startNode({
    LLM_BASE_URL: fake.url,
    LLM_MODEL: "fake-model",
    TRUST_PROXY: "1",
    LLM_MAX_CONCURRENT: undefined, // the server's defaults, not the test defaults
    ANSWERS_PER_IP_PER_MINUTE: undefined,
    ABANDONED_ANSWER_GRACE_MS: String(GRACE_MS),
  });
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(async () => {
  await node.stop();
  await fake.close();
  expect(problems(node)).toEqual([]);
});

const socketFrom = (ip: string) => connectFrom(node.url, ip, sockets);

async function join(socket: Socket, roomId: string): Promise<void> {
  const ack = (await socket.timeout(5000).emitWithAck("room:join", { roomId, name: "Asker" })) as { ok: boolean };
  expect(ack.ok).toBe(true);
}

const send = (socket: Socket, roomId: string) =>
  socket.timeout(10_000).emitWithAck("chat:send", { roomId, text: "Write a long essay." }) as Promise<SendAck>;
const inFlight = () => fake.requests.filter((request) => !request.finished && !request.closedByClient).length;

describe("LLM load", () => {
  it("100 questions from one address: 10 answers start, at most 4 stream at once, the rest are refused", async () => {
    fake.fallback = tokenScript(["first ", "second"], { gateAfter: { tokens: 1, gate: "flood" } });
    const askers = await Promise.all(Array.from({ length: 10 }, () => socketFrom("203.0.113.5")));
    const queued = new Set<string>();
    const ends: EndEvent[] = [];
    const users: Message[] = [];
    for (const socket of askers) {
      socket.on("chat:message", (message: Message) => {
        if (message.queued) queued.add(message.id);
        if (message.role === "user") users.push(message);
      });
      socket.on("chat:end", (end: EndEvent) => ends.push(end));
    }
    await Promise.all(
      askers.flatMap((socket, s) => Array.from({ length: 10 }, (_, r) => join(socket, `flood-${s}-${r}`))),
    );

    const acks = await Promise.all(
      askers.flatMap((socket, s) => Array.from({ length: 10 }, (_, r) => send(socket, `flood-${s}-${r}`))),
    );
    const refused = acks.filter((ack) => !ack.ok);
    expect(acks.filter((ack) => ack.ok)).toHaveLength(10);
    expect(refused).toHaveLength(90);
    for (const ack of refused) {
      expect(ack.error?.code).toBe("rate_limited");
      expect(ack.error?.retryAfter).toBeGreaterThan(0);
      expect(ack.error?.retryAfter).toBeLessThanOrEqual(60);
    }
    // Four stream; six wait in line, and their rooms see it.
    let most = 0;
    await waitFor(
      () => {
        most = Math.max(most, inFlight());
        return fake.requests.length === 4 && queued.size === 6;
      },
      { what: "4 upstream requests and 6 queued answers" },
    );
    expect(users).toHaveLength(10); // nothing of the refused questions was stored or shown

    fake.release("flood");
    await waitFor(
      () => {
        most = Math.max(most, inFlight());
        return ends.length === 10;
      },
      { timeoutMs: 20_000, what: "the 10 answers to end" },
    );
    expect(most).toBeLessThanOrEqual(4);
    expect(fake.requests).toHaveLength(10);
    expect(ends.every((end) => end.status === "done")).toBe(true);
  });

  it("an ad-hoc room's answer stops once its only viewer has left for the grace period; the upstream request is closed", async () => {
    const index = fake.requests.length;
    fake.enqueue(tokenScript(["partial ", "never"], { gateAfter: { tokens: 1, gate: "never-opened" } }));
    const viewer = await socketFrom("198.51.100.9");
    await join(viewer, "left-alone");
    const firstDelta = new Promise((resolve) => viewer.once("chat:delta", resolve));
    const ack = await send(viewer, "left-alone");
    expect(ack.ok).toBe(true);
    await firstDelta;
    viewer.close();
    const left = Date.now();

    const answer = await waitFor(
      async () => {
        const res = await fetch(`${node.url}/api/rooms/left-alone/transcript?format=json`);
        const { messages } = (await res.json()) as { messages: Message[] };
        const reply = messages.find((message) => message.id === ack.replyId);
        return reply?.status === "stopped" ? reply : undefined;
      },
      { timeoutMs: GRACE_MS + 5000, what: "the abandoned answer to stop" },
    );
    expect(Date.now() - left).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(answer).toMatchObject({ status: "stopped", stopReason: "nobody_watching", text: "partial " });
    expect(answer.stoppedBy).toBeUndefined();
    await fake.waitForClosed(index);
  });
});
