/**
 * Answers that outlive their node, with real processes: three nodes on one redis-server, the
 * fake upstream. `kill -9` of the node streaming an answer: another node asks the LLM to continue
 * the logged partial text (chat: as the assistant's last message; completions: at the end of the
 * prompt) and appends after its seq; every surviving viewer ends `done` with the whole text, each
 * delta once and in order, and the message records who continued it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, ended, rawClient, viewer } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const LEASE_MS = 2000;
/** Process scheduling on a busy 2-core CI machine: added to a timing bound, never relied on. */
const SLACK_MS = 1000;
const TOKENS = Array.from({ length: 30 }, (_, i) => `t${i} `);
const CUT_AFTER = 12;
const PARTIAL = expectedText(TOKENS.slice(0, CUT_AFTER));
const FULL = expectedText(TOKENS);

let redis: RedisProcess;
let fake: FakeUpstream;
let prefixCounter = 0;
const nodes: ServerNode[] = [];

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeUpstream()]);
});

afterEach(async () => {
  closeAllClients();
  await Promise.all(nodes.splice(0).map((n) => n.stop("SIGKILL")));
});

afterAll(async () => {
  await fake?.close();
  await redis?.close();
});

async function cluster(env: Record<string, string>, count = 3): Promise<ServerNode[]> {
  const base = { LLM_BASE_URL: fake.url, REDIS_URL: redis.url, REDIS_PREFIX: `c${++prefixCounter}:` };
  const each = Array.from({ length: count }, () => ({ ...base, ANSWER_LEASE_MS: String(LEASE_MS), ...env }));
  const started = await Promise.all(each.map((nodeEnv) => startNode(nodeEnv)));
  nodes.push(...started);
  return started;
}

/** The body the fake upstream got for request `index`. */
function bodyOf(index: number): Record<string, unknown> {
  return fake.requests[index]!.body as Record<string, unknown>;
}

describe("kill -9 of the node streaming an answer", () => {
  for (const api of ["chat", "completions"] as const) {
    it(`${api} API: another node continues the logged text; every viewer ends done with the whole answer`, async () => {
      const [owner, b, c] = await cluster({ LLM_API: api });
      const asker = await viewer(owner!.url, `cont-${api}`, "asker");
      const onB = await viewer(b!.url, `cont-${api}`, "on-b");
      const onC = await viewer(c!.url, `cont-${api}`, "on-c");
      const raw = await rawClient(c!.url);
      await raw.join(`cont-${api}`, "raw");
      const first = fake.requests.length;
      fake.enqueue(
        tokenScript(TOKENS.slice(0, CUT_AFTER), {
          api,
          delayMs: 1,
          gateAfter: { tokens: CUT_AFTER, gate: `g-${api}` },
        }),
        tokenScript(TOKENS.slice(CUT_AFTER), { api, delayMs: 1 }),
      );
      const { replyId } = await asker.send("the owner will die");
      await waitFor(() => [onB, onC].every((v) => v.getMessage(replyId)?.text === PARTIAL), {
        what: "the partial answer everywhere",
      });

      const killedAt = performance.now();
      await owner!.kill();
      const finals = await Promise.all([onB, onC].map((v) => ended(v, replyId, LEASE_MS + 15_000)));
      console.log(`owner killed → continued and done after ${(performance.now() - killedAt).toFixed(0)} ms`);
      for (const final of finals) expect(final).toMatchObject({ status: "done", text: FULL });
      expect(finals[0]!.continuedBy).toHaveLength(1);

      // The continuation request carried exactly the logged partial text, after the same question.
      expect(fake.requests.length - first).toBe(2);
      const continued = bodyOf(first + 1);
      if (api === "chat") {
        const messages = continued.messages as Array<{ role: string; content: string }>;
        expect(messages.at(-1)).toEqual({ role: "assistant", content: PARTIAL });
        expect(messages.slice(0, -1)).toEqual(bodyOf(first).messages);
        expect(continued).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
      } else {
        expect(continued.prompt).toBe(`${bodyOf(first).prompt as string} ${PARTIAL}`);
      }
      // Each delta once, in seq order, none missing.
      await waitFor(() => raw.ends.some((end) => end.messageId === replyId), { what: "the raw viewer's end" });
      const deltas = raw.deltas.filter((d) => d.messageId === replyId);
      expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
      expect(deltas.map((d) => d.text).join("")).toBe(FULL);
      for (const node of [b!, c!]) expect(problems(node)).toEqual([]);
    });
  }

  it("SIGTERM of the node streaming an answer hands it over: another node goes on within 2 s and the node exits at once", async () => {
    const [owner, b] = await cluster({ SHUTDOWN_GRACE_MS: "30000" }, 2);
    const upAt = performance.now();
    const asker = await viewer(owner!.url, "handover", "asker");
    const onB = await viewer(b!.url, "handover", "on-b");
    const first = fake.requests.length;
    fake.enqueue(
      tokenScript(TOKENS.slice(0, CUT_AFTER), { delayMs: 1, gateAfter: { tokens: CUT_AFTER, gate: "g-handover" } }),
      tokenScript(TOKENS.slice(CUT_AFTER), { delayMs: 1 }),
    );
    const { replyId } = await asker.send("a rolling deploy is coming");
    await waitFor(() => onB.getMessage(replyId)?.text === PARTIAL, { what: "the partial answer" });

    // A node looks for orphans only once its Redis link has been up for a lease (right after Redis
    // comes back every lease may look lapsed): a deployed node has long been up.
    await waitFor(() => performance.now() - upAt >= LEASE_MS, { what: "the nodes to be up for a lease" });
    const stoppedAt = performance.now();
    const exited = owner!.stop("SIGTERM");
    // Handed over: another node took the answer (the room hears it with `continuedBy`).
    await waitFor(() => onB.getMessage(replyId)?.continuedBy?.length === 1, {
      timeoutMs: 15_000,
      what: "another node to take the answer over",
    });
    const handedOverMs = performance.now() - stoppedAt;
    await waitFor(() => (onB.getMessage(replyId)?.text.length ?? 0) > PARTIAL.length, {
      timeoutMs: 15_000,
      what: "the answer to go on on node B",
    });
    const goingOnMs = performance.now() - stoppedAt;
    expect(await exited).toBe(0);
    const exitedMs = performance.now() - stoppedAt;
    console.log(
      `SIGTERM → handed over after ${handedOverMs.toFixed(0)} ms, text going on after ${goingOnMs.toFixed(0)} ms;`,
      `node exited after ${exitedMs.toFixed(0)} ms`,
    );
    expect(await ended(onB, replyId)).toMatchObject({ status: "done", text: FULL });
    expect(fake.requests.length - first).toBe(2);
    expect(handedOverMs).toBeLessThan(2000 + SLACK_MS);
    expect(exitedMs).toBeLessThan(10_000); // not SHUTDOWN_GRACE_MS (30 s): nothing waits for the answer
  }, 60_000);

  it("LLM_CONTINUE=off: the answer ends interrupted with its partial text, as without continuation", async () => {
    const [owner, b] = await cluster({ LLM_CONTINUE: "off" }, 2);
    const asker = await viewer(owner!.url, "cont-off", "asker");
    const onB = await viewer(b!.url, "cont-off", "on-b");
    const first = fake.requests.length;
    fake.enqueue(tokenScript(TOKENS, { delayMs: 1, gateAfter: { tokens: CUT_AFTER, gate: "g-off" } }));
    const { replyId } = await asker.send("the owner will die");
    await waitFor(() => onB.getMessage(replyId)?.text === PARTIAL, { what: "the partial answer" });
    await owner!.kill();
    expect(await ended(onB, replyId, LEASE_MS + 15_000)).toMatchObject({
      status: "interrupted",
      text: PARTIAL,
      error: { code: "owner_lost" },
    });
    expect(fake.requests.length - first).toBe(1);
  });
});
