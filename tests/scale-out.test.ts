/**
 * Scale-out with real processes: a private redis-server, three Tokencast nodes as child
 * processes, the fake upstream, and viewers spread over the nodes (directly, or through a
 * round-robin TCP balancer so that they can move when their node goes away).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RoomConnection } from "@tokencast/client/connection";
import { closeAllClients, ended, rawClient, viewer } from "./helpers/clients.ts";
import { crowdHeardEnds, joinCrowd } from "./helpers/crowd.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { sample } from "./helpers/metrics.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { startTcpBalancer, type TcpBalancer } from "./helpers/tcp-balancer.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const LEASE_MS = 2000;
/** Process scheduling on a busy 2-core CI machine: added to every timing bound, never relied on. */
const SLACK_MS = 1000;
const TOKENS = Array.from({ length: 40 }, (_, i) => `t${i} `);
const FULL = expectedText(TOKENS);

let redis: RedisProcess;
let fake: FakeUpstream;
let prefixCounter = 0;
const nodes: ServerNode[] = [];
const balancers: TcpBalancer[] = [];

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis({ appendonly: true }), startFakeUpstream()]);
});

afterEach(async () => {
  closeAllClients();
  await Promise.all(balancers.splice(0).map((b) => b.close()));
  await Promise.all(nodes.splice(0).map((n) => n.stop("SIGKILL")));
});

afterAll(async () => {
  await fake?.close();
  await redis?.close();
});

/** `count` nodes on one Redis prefix, with `env`, and `each[i]` for node i. */
async function cluster(
  count: number,
  env: Record<string, string> = {},
  each: Array<Record<string, string>> = [],
): Promise<ServerNode[]> {
  const prefix = `s${++prefixCounter}:`;
  const base = {
    LLM_BASE_URL: fake.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    ANSWER_LEASE_MS: String(LEASE_MS),
  };
  const started = await Promise.all(
    Array.from({ length: count }, (_, i) => startNode({ ...base, ...env, ...each[i] })),
  );
  nodes.push(...started);
  return started;
}

async function balancer(over: ServerNode[]): Promise<TcpBalancer> {
  const b = await startTcpBalancer(over.map((n) => n.port));
  balancers.push(b);
  return b;
}

/** `count` viewers named `${name}-i`, joined one after another so the balancer spreads them. */
async function crowd(url: string, roomId: string, name: string, count: number): Promise<RoomConnection[]> {
  const joined: RoomConnection[] = [];
  for (let i = 0; i < count; i++) joined.push(await viewer(url, roomId, `${name}-${i}`));
  return joined;
}

async function logText(node: ServerNode, roomId: string, messageId: string): Promise<{ text: string; status: string }> {
  const client = await rawClient(node.url);
  await client.join(roomId, "auditor");
  const resumed = (await client.emit("chat:resume", { roomId, messageId, afterSeq: 0 })) as {
    deltas: Array<{ text: string }>;
    status: string;
  };
  client.close();
  return { text: resumed.deltas.map((d) => d.text).join(""), status: resumed.status };
}

function gated(gate: string, after = 15) {
  return tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: after, gate } });
}

describe("three nodes, one room", () => {
  it("viewers spread over the nodes get identical text equal to the upstream's, from one upstream request per answer; presence counts everyone", async () => {
    const [a, b, c] = await cluster(3);
    const lb = await balancer([a!, b!, c!]);
    const audience = await crowd(lb.url, "spread", "v", 12);
    expect(new Set(lb.routed)).toEqual(new Set([0, 1, 2]));
    const asker = await viewer(b!.url, "spread", "asker");
    await waitFor(() => audience.every((v) => v.memberCount === 13), {
      what: "presence to count all 13 members on every node",
    });
    const names = audience[0]!.members.map((m) => m.name);
    expect(names).toContain("asker");
    expect(names).toContain("v-11");

    for (const question of ["first", "second"]) {
      const before = fake.requests.length;
      fake.enqueue(tokenScript(TOKENS, { delayMs: 1 }));
      const { replyId } = await asker.send(question);
      const finals = await Promise.all([...audience, asker].map((v) => ended(v, replyId)));
      for (const final of finals) expect(final).toMatchObject({ status: "done", text: FULL, seq: finals[0]!.seq });
      expect(fake.requests.length - before).toBe(1);
    }
    for (const node of [a!, b!, c!]) expect(problems(node)).toEqual([]);
  });

  it("a late joiner and a resume on a node that is not the owner get exactly the answer", async () => {
    const [owner, other] = await cluster(3);
    const asker = await viewer(owner!.url, "late", "asker");
    fake.enqueue(gated("late-gate"));
    const { replyId } = await asker.send("late join please");
    await waitFor(() => asker.getMessage(replyId)?.text === expectedText(TOKENS.slice(0, 15)));
    const late = await rawClient(other!.url);
    const snapshot = await late.join("late", "late-joiner");
    const partial = snapshot.messages.find((m) => m.id === replyId)!;
    expect(partial).toMatchObject({ status: "streaming", text: expectedText(TOKENS.slice(0, 15)) });
    fake.release("late-gate");
    await waitFor(() => late.ends.find((e) => e.messageId === replyId));
    const live = late.deltas.filter((d) => d.messageId === replyId && d.seq > partial.seq);
    expect(live.map((d) => d.seq)).toEqual(live.map((_, i) => partial.seq + i + 1));
    expect(partial.text + live.map((d) => d.text).join("")).toBe(FULL);
    const resumed = (await late.emit("chat:resume", { roomId: "late", messageId: replyId, afterSeq: partial.seq })) as {
      deltas: Array<{ text: string }>;
    };
    expect(partial.text + resumed.deltas.map((d) => d.text).join("")).toBe(FULL);
  });
});

describe("batching across nodes", () => {
  it("the node running an answer batches for the audience of a node that only relays it", async () => {
    // A fan-out to 300 sockets takes a few ms: over 2% of the loop at a 30 ms window, so the relay's
    // window widens. The owner sends to one socket and may keep its loop busy all it likes (share 1):
    // on its own it would never widen.
    const windows = { COALESCE_MS: "30", COALESCE_MAX_MS: "150" };
    const [owner, relay] = await cluster(2, windows, [{ COALESCE_BUSY_SHARE: "1" }, { COALESCE_BUSY_SHARE: "0.02" }]);
    const audience = await joinCrowd(relay!.url, "talk", 300);
    const asker = await rawClient(owner!.url);
    await asker.join("talk", "asker");
    fake.enqueue(
      tokenScript(
        Array.from({ length: 5000 }, (_, i) => `w${i} `),
        { delayMs: 2 },
      ),
    );
    const { replyId } = (await asker.emit("chat:send", { roomId: "talk", text: "go" })) as { replyId: string };
    const window = async (node: ServerNode) =>
      sample(await (await fetch(`${node.url}/metrics`)).text(), "coalesce_window_ms");
    await waitFor(async () => (await window(relay!)) > 30, { intervalMs: 50, what: "the relay's own window to widen" });
    await waitFor(async () => (await window(owner!)) > 30, {
      intervalMs: 50,
      what: "the owner to batch for the relay",
    });
    await asker.emit("chat:stop", { roomId: "talk", messageId: replyId });
    const end = await waitFor(() => asker.ends.find((e) => e.messageId === replyId));
    const seqs = asker.deltas.filter((d) => d.messageId === replyId).map((d) => d.seq);
    expect(seqs).toEqual(Array.from({ length: end.seq }, (_, i) => i + 1));
    await crowdHeardEnds(audience, 1);
    audience.close();
  });
});

describe("stop across nodes", () => {
  it("a viewer on a third node stops the answer: the owner closes the upstream request; everyone gets `stopped` with the partial text", async () => {
    const [owner, b, c] = await cluster(3);
    const asker = await viewer(owner!.url, "stop3", "asker");
    const watcher = await viewer(b!.url, "stop3", "watcher");
    const stopper = await viewer(c!.url, "stop3", "stopper");
    const index = fake.requests.length;
    fake.enqueue(gated("stop3-never"));
    const { replyId } = await asker.send("stop me from elsewhere");
    const partial = expectedText(TOKENS.slice(0, 15));
    await waitFor(() => stopper.getMessage(replyId)?.text === partial);
    await stopper.stop(replyId);
    await fake.waitForClosed(index);
    for (const v of [asker, watcher, stopper]) {
      expect(await ended(v, replyId)).toMatchObject({ status: "stopped", stoppedBy: "stopper", text: partial });
    }
    expect(fake.requests.length - index).toBe(1);
  });
});

describe("failures", () => {
  it("kill -9 of the owner mid-answer, LLM_CONTINUE=off: every surviving viewer gets `interrupted` with the partial text within the lease, and the room takes the next question", async () => {
    // With continuation (the default) the answer goes on elsewhere: tests/continuation.test.ts.
    const [owner, b, c] = await cluster(3, { LLM_CONTINUE: "off" });
    const asker = await viewer(owner!.url, "owner-dies", "asker");
    const onB = await viewer(b!.url, "owner-dies", "on-b");
    const onC = await viewer(c!.url, "owner-dies", "on-c");
    fake.enqueue(gated("never-released"));
    const { replyId } = await asker.send("the owner will die");
    const partial = expectedText(TOKENS.slice(0, 15));
    await waitFor(() => [onB, onC].every((v) => v.getMessage(replyId)?.text === partial), {
      what: "the partial answer everywhere",
    });

    const killedAt = performance.now();
    await owner!.kill();
    const finals = await Promise.all([onB, onC].map((v) => ended(v, replyId, LEASE_MS + SLACK_MS + 5000)));
    const elapsed = performance.now() - killedAt;
    console.log(
      `owner killed → interrupted on every surviving viewer after ${elapsed.toFixed(0)} ms (lease ${LEASE_MS} ms)`,
    );
    for (const final of finals)
      expect(final).toMatchObject({ status: "interrupted", text: partial, error: { code: "owner_lost" } });
    expect(elapsed).toBeLessThan(LEASE_MS + SLACK_MS);
    expect(await logText(b!, "owner-dies", replyId)).toEqual({ text: partial, status: "interrupted" });

    fake.enqueue(tokenScript(["next ", "answer"]));
    const next = await onB.send("are you still there?");
    expect((await ended(onC, next.replyId)).text).toBe("next answer");
    for (const node of [b!, c!]) expect(problems(node)).toEqual([]);
  });

  it("kill -9 of a node that is not the owner: its viewers reconnect elsewhere and end with the full text, no duplicates; its members leave the list", async () => {
    const [owner, b, victim] = await cluster(3);
    const lb = await balancer([owner!, b!, victim!]);
    const audience = await crowd(lb.url, "node-dies", "v", 9);
    const asker = await viewer(owner!.url, "node-dies", "asker");
    await waitFor(() => asker.memberCount === 10, { what: "10 members" });
    fake.enqueue(gated("after-node-death"));
    const { replyId } = await asker.send("a node will die");
    await waitFor(() => audience.every((v) => (v.getMessage(replyId)?.seq ?? 0) >= 1));

    await victim!.kill();
    const moved = await waitFor(
      () => {
        const reconnected = audience.filter((v) => v.stats.joins >= 2 && v.state === "live");
        return reconnected.length >= 3 ? reconnected : undefined;
      },
      { timeoutMs: 10_000, what: "the dead node's viewers to reconnect elsewhere" },
    );
    fake.release("after-node-death");
    for (const final of await Promise.all(audience.map((v) => ended(v, replyId)))) {
      expect(final).toMatchObject({ status: "done", text: FULL });
    }
    for (const v of moved) expect(v.getMessage(replyId)!.seq).toBe(asker.getMessage(replyId)!.seq);
    // The dead node's members are swept: the list is back to the 10 live connections.
    await waitFor(() => asker.memberCount === 10 && audience.every((v) => v.memberCount === 10), {
      timeoutMs: LEASE_MS * 2 + SLACK_MS,
      what: "the dead node's members to disappear",
    });
    for (const node of [owner!, b!]) expect(problems(node)).toEqual([]);
  });

  it("Redis killed and restarted mid-answer (down longer than the lease): no crash, /readyz says so, and every viewer ends with the text in the log", async () => {
    const [a, b] = await cluster(2);
    const onA = await viewer(a!.url, "redis-dies", "on-a");
    const onB = await viewer(b!.url, "redis-dies", "on-b");
    fake.enqueue(gated("during-outage"));
    const { replyId } = await onA.send("survive redis");
    await waitFor(() => onB.getMessage(replyId)?.text === expectedText(TOKENS.slice(0, 15)));

    await redis.kill();
    for (const node of [a!, b!]) {
      await waitFor(async () => (await fetch(`${node.url}/readyz`)).status === 503, {
        what: "/readyz to report Redis down",
      });
    }
    fake.release("during-outage"); // the rest of the answer arrives while Redis is down
    await waitFor(() => a!.logs.some((l) => String(l.msg).startsWith("could not append")), {
      what: "the owner to notice",
    });
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS)); // an outage longer than the lease, on purpose
    await redis.restart();

    const finals = await Promise.all([onA, onB].map((v) => ended(v, replyId, 20_000)));
    for (const final of finals) expect(final).toMatchObject({ status: "done", text: FULL });
    expect(await logText(b!, "redis-dies", replyId)).toEqual({ text: FULL, status: "done" });
    for (const node of [a!, b!]) {
      await waitFor(async () => (await fetch(`${node.url}/readyz`)).status === 200, { what: "/readyz to recover" });
      expect(node.exitCode).toBeUndefined();
      expect(problems(node)).toEqual([]);
    }
    fake.enqueue(tokenScript(["after ", "the ", "outage"]));
    const next = await onB.send("still working?");
    expect((await ended(onA, next.replyId)).text).toBe("after the outage");
  });

  it("SIGTERM drains the owner, LLM_CONTINUE=off: its viewers move to other nodes and watch the answer finish; it exits 0", async () => {
    // With continuation (the default) the owner hands the answer over at once: tests/continuation.test.ts.
    const [owner, b, c] = await cluster(3, { SHUTDOWN_GRACE_MS: "20000", LLM_CONTINUE: "off" });
    const lb = await balancer([owner!, b!, c!]);
    const audience = await crowd(lb.url, "drain", "v", 6);
    const asker = await viewer(owner!.url, "drain", "asker");
    fake.enqueue(gated("drain-gate"));
    const { replyId } = await asker.send("finish while draining");
    await waitFor(() => audience.every((v) => (v.getMessage(replyId)?.seq ?? 0) >= 1));

    const exited = owner!.stop("SIGTERM");
    await waitFor(() => audience.filter((v) => v.stats.joins >= 2 && v.state === "live").length >= 2, {
      what: "the owner's viewers to move",
    });
    await expect(fetch(`${owner!.url}/healthz`)).rejects.toThrow(); // it takes no new connections
    fake.release("drain-gate");
    for (const final of await Promise.all(audience.map((v) => ended(v, replyId)))) {
      expect(final).toMatchObject({ status: "done", text: FULL });
    }
    expect(await exited).toBe(0);
    expect(await logText(b!, "drain", replyId)).toEqual({ text: FULL, status: "done" });
    for (const node of [owner!, b!, c!]) expect(problems(node)).toEqual([]);
  });
});
