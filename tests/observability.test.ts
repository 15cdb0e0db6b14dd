/**
 * Observability on a real node: /metrics (Prometheus text) counts answers, tokens, delays,
 * sockets, resyncs, upstream and Redis errors; /readyz reports the LLM server (probed in the
 * background); METRICS_TOKEN guards /metrics.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SendResult } from "@tokencast/protocol";
import { closeAllClients, rawClient, type RawClient } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { sample } from "./helpers/metrics.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { httpError, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const METRICS = [
  "connected_sockets",
  "rooms",
  "answers_active",
  "answers_queued",
  "time_to_first_token_seconds",
  "upstream_tokens_total",
  "upstream_tokens_per_second",
  "token_to_viewer_delay_seconds",
  "coalesce_window_ms",
  "coalesce_widened_rooms",
  "resyncs_total",
  "upstream_errors_total",
  "redis_errors_total",
  "answers_total",
  "process_resident_memory_bytes",
];

/** Sum of every sample of a metric, whatever its labels. */
function total(text: string, name: string): number {
  const re = new RegExp(`^tokencast_${name}(\\{[^}]*\\})? (\\S+)$`);
  return text.split("\n").reduce((sum, l) => sum + Number(re.exec(l)?.[2] ?? 0), 0);
}

async function metrics(node: ServerNode, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${node.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  return res.text();
}

async function send(client: RawClient, roomId: string, text: string): Promise<SendResult> {
  const ack = (await client.emit("chat:send", { roomId, text })) as { ok: boolean } & SendResult;
  if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack)}`);
  return ack;
}

function endOf(client: RawClient, replyId: string) {
  return waitFor(() => client.ends.find((e) => e.messageId === replyId), {
    timeoutMs: 15_000,
    what: "the answer to end",
  });
}

let fake: FakeUpstream;
let node: ServerNode;

beforeAll(async () => {
  fake = await startFakeUpstream();
  node = await startNode({ LLM_BASE_URL: fake.url, COALESCE_MS: "0" });
});

afterEach(() => closeAllClients());

afterAll(async () => {
  await node?.stop();
  await fake?.close();
});

describe("/metrics", () => {
  it("exposes every metric, prefixed tokencast_, in Prometheus text format", async () => {
    const res = await fetch(`${node.url}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of METRICS) expect(text, name).toMatch(new RegExp(`^# TYPE tokencast_${name} `, "m"));
  });

  it("counts one answer: status, first token, tokens, one delay per delta; sockets 2 then 0", async () => {
    const [a, b] = await Promise.all([rawClient(node.url), rawClient(node.url)]);
    await a!.join("metrics-one", "Ann");
    await b!.join("metrics-one", "Bob");
    let text = await metrics(node);
    expect(sample(text, "connected_sockets")).toBe(2);
    expect(sample(text, "rooms")).toBe(1);

    const tokens = ["One ", "two ", "three ", "four ", "five."];
    fake.enqueue(tokenScript(tokens, { delayMs: 30 }));
    const { replyId } = await send(a!, "metrics-one", "count to five");
    expect((await endOf(b!, replyId)).status).toBe("done");

    text = await metrics(node);
    expect(sample(text, "answers_total", 'status="done"')).toBe(1);
    expect(sample(text, "time_to_first_token_seconds_count")).toBe(1);
    expect(sample(text, "upstream_tokens_total"), "tokens").toBe(tokens.length);
    expect(sample(text, "upstream_tokens_per_second_count")).toBe(1);
    const deltas = b!.deltas.filter((d) => d.messageId === replyId).length;
    expect(deltas).toBeGreaterThan(1);
    expect(sample(text, "token_to_viewer_delay_seconds_count"), "delays").toBe(deltas);
    expect(sample(text, "answers_active")).toBe(0);
    expect(sample(text, "answers_queued")).toBe(0);

    // A burst: tokens arriving together join one batch, and each still counts.
    const burst = ["a", "b", "c", "d", "e", "f", "g", "h"];
    fake.enqueue(tokenScript(burst));
    const second = await send(a!, "metrics-one", "burst");
    expect((await endOf(b!, second.replyId)).status).toBe("done");
    text = await metrics(node);
    expect(sample(text, "upstream_tokens_total"), "tokens after the burst").toBe(tokens.length + burst.length);
    expect(sample(text, "token_to_viewer_delay_seconds_count"), "delays after the burst").toBe(b!.deltas.length);
    expect(sample(text, "answers_total", 'status="done"')).toBe(2);

    const resumed = (await a!.emit("chat:resume", { roomId: "metrics-one", messageId: replyId, afterSeq: 0 })) as {
      ok: boolean;
    };
    expect(resumed.ok).toBe(true);
    expect(sample(await metrics(node), "resyncs_total", 'reason="resume"')).toBe(1);

    closeAllClients();
    await waitFor(async () => sample(await metrics(node), "connected_sockets") === 0, {
      timeoutMs: 10_000,
      what: "connected_sockets to drop to 0",
    });
    expect(sample(await metrics(node), "rooms")).toBe(0);
  });

  it("counts an upstream failure by its code", async () => {
    const client = await rawClient(node.url);
    await client.join("metrics-fail", "Ann");
    fake.enqueue(httpError(500, JSON.stringify({ error: { message: "boom" } })));
    const { replyId } = await send(client, "metrics-fail", "fail please");
    expect((await endOf(client, replyId)).error?.code).toBe("upstream_http_error");
    const text = await metrics(node);
    expect(sample(text, "upstream_errors_total", 'code="upstream_http_error"')).toBe(1);
    expect(sample(text, "answers_total", 'status="error"')).toBe(1);
  });
});

describe("/readyz and the LLM server", () => {
  it("is 200 with upstream: true while the LLM server answers", async () => {
    await waitFor(async () => (await fetch(`${node.url}/readyz`)).status === 200, {
      timeoutMs: 10_000,
      what: "/readyz 200",
    });
    expect(await (await fetch(`${node.url}/readyz`)).json()).toMatchObject({ ok: true, checks: { upstream: true } });
  });

  it("answers at once, 503 upstream: false, while the LLM server accepts connections and never replies", async () => {
    // A hung LLM server: TCP accepted, not a byte back. Probes time out after 2 s; /readyz must
    // not wait for one (a readiness check that hangs takes the node out of a load balancer late).
    const hung = createServer(() => undefined);
    const sockets = new Set<Socket>();
    hung.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
    const stalled = await startNode({ LLM_BASE_URL: `http://127.0.0.1:${(hung.address() as AddressInfo).port}` });
    try {
      await waitFor(() => sockets.size > 0, { what: "the probe to connect to the hung server" });
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${stalled.url}/readyz`, { signal: AbortSignal.timeout(1500) });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ checks: { server: true, upstream: false } });
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
    } finally {
      await stalled.stop();
      for (const socket of sockets) socket.destroy();
      hung.close();
    }
  });

  it("is 503 with upstream: false when the LLM server is down; METRICS_TOKEN guards /metrics", async () => {
    const closed = await startFakeUpstream();
    await closed.close();
    const lonely = await startNode({ LLM_BASE_URL: closed.url, METRICS_TOKEN: "s3cret-metrics" });
    try {
      const res = await fetch(`${lonely.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ok: false, checks: { server: true, upstream: false } });

      expect((await fetch(`${lonely.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${lonely.url}/metrics`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
      const text = await metrics(lonely, { Authorization: "Bearer s3cret-metrics" });
      expect(text).toMatch(/^# TYPE tokencast_answers_total /m);
    } finally {
      await lonely.stop();
    }
  });
});

describe("Redis errors", () => {
  let redis: RedisProcess | undefined;
  afterAll(async () => {
    await redis?.close();
  });

  it("counts Redis connection errors and failed commands while Redis is down", async () => {
    redis = await startRedis();
    const redisNode = await startNode({
      LLM_BASE_URL: fake.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: `obs-${Date.now()}:`,
    });
    try {
      await waitFor(async () => (await fetch(`${redisNode.url}/readyz`)).status === 200, {
        timeoutMs: 10_000,
        what: "the redis node to be ready",
      });
      const client = await rawClient(redisNode.url);
      await client.join("redis-errors", "Ada");
      expect(total(await metrics(redisNode), "redis_errors_total")).toBe(0);
      await redis.kill();
      await waitFor(async () => total(await metrics(redisNode), "redis_errors_total") >= 2, {
        timeoutMs: 15_000,
        what: "redis errors to be counted",
      });
      // A command that cannot reach Redis is counted as a failed request, and the client hears why.
      const ack = (await client.emit("chat:send", { roomId: "redis-errors", text: "hello?" })) as {
        ok: boolean;
        error?: { code: string };
      };
      expect(ack.error?.code).toBe("store_unavailable");
      expect(sample(await metrics(redisNode), "redis_errors_total", 'op="request"')).toBeGreaterThanOrEqual(1);
      // Back up, so the node drains cleanly (and the helper's close() has a live process to end).
      await redis.restart();
    } finally {
      await redisNode.stop();
    }
  });
});
