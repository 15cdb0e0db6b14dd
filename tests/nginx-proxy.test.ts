/**
 * Two Redis-mode nodes behind nginx running deploy/nginx.conf — the load balancer of
 * docker-compose.yml — with only its upstream addresses and listen port substituted
 * (tests/helpers/nginx.ts). Checks that the file is valid and streams, that Socket.IO's
 * WebSocket and HTTP long-polling transports both work through it (polling needs the
 * stickiness), and that a silence in the middle of an answer longer than nginx's read timeout
 * disconnects nobody; the same for the SSE endpoint (deltas not buffered, heartbeats).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RoomConnection } from "@tokencast/client/connection";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeAllClients, ended, FAST_SOCKET, viewer } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import {
  fillConfig,
  NGINX_CONF,
  nginxTest,
  readTimeoutSeconds,
  startNginx,
  type NginxProcess,
} from "./helpers/nginx.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { openSse, closeAllSse, RoomText, type SseStream } from "./helpers/sse-client.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

const SOCKET_SERVER = fileURLToPath(new URL("../packages/server/src/realtime/socket-server.ts", import.meta.url));
/** A pause in the middle of an answer, longer than nginx's read timeout. */
const SILENCE_MS = 30_000;
const TOKENS = Array.from({ length: 40 }, (_, i) => `t${i} `);
/** SSE heartbeats on the nodes: well under nginx's read timeout. */
const SSE_HEARTBEAT_MS = 2000;

let redis: RedisProcess;
let fake: FakeUpstream;
let nodes: ServerNode[] = [];
let nginx: NginxProcess | undefined;
const pollers = new Set<RoomConnection>();

beforeAll(async () => {
  [redis, fake] = await Promise.all([startRedis(), startFakeUpstream()]);
  nodes = await Promise.all(
    [1, 2].map(() =>
      startNode({
        LLM_BASE_URL: fake.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: "nginx-proxy:",
        SSE_HEARTBEAT_MS: String(SSE_HEARTBEAT_MS),
      }),
    ),
  );
  nginx = await startNginx({ upstreams: nodes.map((node) => `127.0.0.1:${node.port}`) });
});

afterEach(() => {
  closeAllClients();
  closeAllSse();
  for (const connection of pollers) connection.close();
  pollers.clear();
});

afterAll(async () => {
  await nginx?.stop();
  await Promise.all(nodes.map((node) => node.stop()));
  await fake?.close();
  await redis?.close();
});

function proxy(): NginxProcess {
  if (!nginx) throw new Error("nginx did not start");
  return nginx;
}

/** A RoomConnection (the web app's socket layer) restricted to HTTP long-polling. */
async function pollingViewer(url: string, roomId: string, name: string): Promise<RoomConnection> {
  const socketOptions = { ...FAST_SOCKET, transports: ["polling"] };
  const connection = new RoomConnection({ url, roomId, name, socketOptions });
  pollers.add(connection);
  const errors: string[] = [];
  connection.socket.on("connect_error", (error: Error & { description?: unknown }) => {
    errors.push(`${error.message} ${JSON.stringify(error.description ?? "")}`);
  });
  connection.connect();
  try {
    await waitFor(() => connection.state === "live", { what: `${name} (polling) to join ${roomId}` });
  } catch (error) {
    throw new Error(`${(error as Error).message}; connect errors: ${errors.slice(-3).join(" | ") || "none"}`);
  }
  return connection;
}

function transportOf(connection: RoomConnection): string {
  return connection.socket.io.engine.transport.name;
}

/** Counts the socket's disconnects from now on. */
function countDisconnects(connection: RoomConnection): { count: number } {
  const counter = { count: 0 };
  connection.socket.on("disconnect", () => counter.count++);
  return counter;
}

/** The node nginx sends this machine's requests to (hash $remote_addr), read from the access log. */
async function stickyNode(): Promise<{ sticky: ServerNode; other: ServerNode }> {
  const marker = `probe-${Date.now()}`;
  await fetch(`${proxy().url}/readyz?${marker}`);
  const line = await waitFor(
    () =>
      proxy()
        .accessLog()
        .find((l) => l.includes(marker)),
    { what: "the probe in nginx's access log" },
  );
  const port = Number(/upstream=127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
  const sticky = nodes.find((node) => node.port === port);
  const other = nodes.find((node) => node.port !== port);
  if (!sticky || !other) throw new Error(`cannot tell which node served: ${line}`);
  return { sticky, other };
}

/** deploy/nginx.conf without comments, so that a commented-out directive does not count. */
function directives(): string {
  return readFileSync(NGINX_CONF, "utf8").replace(/#.*$/gm, "");
}

describe("deploy/nginx.conf", () => {
  it("passes nginx -t with the test substitutions, and has what streaming through a proxy needs", () => {
    const text = directives();
    const verdict = nginxTest(fillConfig(readFileSync(NGINX_CONF, "utf8"), ["127.0.0.1:1", "127.0.0.1:2"], 8080));
    expect(verdict.ok, verdict.output).toBe(true);

    const required: Array<[string, RegExp]> = [
      [
        "map $http_upgrade $connection_upgrade",
        /map\s+\$http_upgrade\s+\$connection_upgrade\s*\{[^}]*default\s+upgrade\s*;/,
      ],
      ["proxy_http_version 1.1", /^\s*proxy_http_version\s+1\.1\s*;/m],
      ["the Upgrade header", /^\s*proxy_set_header\s+Upgrade\s+\$http_upgrade\s*;/m],
      ["the Connection header", /^\s*proxy_set_header\s+Connection\s+\$connection_upgrade\s*;/m],
      ["proxy_buffering off", /^\s*proxy_buffering\s+off\s*;/m],
      ["proxy_request_buffering off", /^\s*proxy_request_buffering\s+off\s*;/m],
      ["X-Forwarded-For", /^\s*proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for\s*;/m],
      ["X-Forwarded-Proto", /^\s*proxy_set_header\s+X-Forwarded-Proto\s+\$scheme\s*;/m],
      [
        "stickiness in upstream tokencast",
        /upstream\s+tokencast\s*\{[^}]*^\s*(hash\s+\$remote_addr(\s+consistent)?|ip_hash)\s*;/m,
      ],
      ["proxy_next_upstream error timeout", /^\s*proxy_next_upstream\s+error\s+timeout\b[^;]*;/m],
      ["proxy_connect_timeout", /^\s*proxy_connect_timeout\s+\d+s?\s*;/m],
      ["location = /healthz", /location\s+=\s+\/healthz\s*\{[^}]*proxy_pass\s+http:\/\/tokencast\s*;/],
      ["access log on stdout", /^\s*access_log\s+\/dev\/stdout\b/m],
      ["error log on stderr", /^\s*error_log\s+stderr\b/m],
    ];
    for (const [what, pattern] of required) expect(pattern.test(text), `deploy/nginx.conf: ${what}`).toBe(true);

    // The read timeout is short, yet longer than the server's Socket.IO ping interval.
    const pingInterval = Number(
      /pingInterval:\s*([\d_]+)/.exec(readFileSync(SOCKET_SERVER, "utf8"))?.[1]?.replaceAll("_", ""),
    );
    expect(pingInterval).toBeGreaterThan(0);
    const readTimeout = readTimeoutSeconds(text);
    expect(readTimeout, "proxy_read_timeout (s)").toBeLessThan(30);
    expect(readTimeout * 1000, "proxy_read_timeout must exceed the ping interval (ms)").toBeGreaterThan(pingInterval);
    const sendTimeout = Number(/^\s*proxy_send_timeout\s+(\d+)s?\s*;/m.exec(text)?.[1]);
    expect(sendTimeout * 1000, "proxy_send_timeout must exceed the ping interval (ms)").toBeGreaterThan(pingInterval);

    // Polling POSTs up to Socket.IO's maxHttpBufferSize (256 KiB) must pass.
    const [, size, unit] = /^\s*client_max_body_size\s+(\d+)([kKmM]?)\s*;/m.exec(text) ?? [];
    const bytes = Number(size) * (unit?.toLowerCase() === "m" ? 1024 * 1024 : unit?.toLowerCase() === "k" ? 1024 : 1);
    expect(bytes, "client_max_body_size").toBeGreaterThanOrEqual(256 * 1024);
  });
});

describe("two nodes behind nginx", () => {
  it("WebSocket and polling viewers through nginx and a viewer on the other node get the identical answer from one upstream request", async () => {
    const url = proxy().url;
    const room = "through-nginx";
    const ws = await viewer(url, room, "ws-via-nginx");
    const poll = await pollingViewer(url, room, "poll-via-nginx");
    const { sticky, other } = await stickyNode();
    const direct = await viewer(other.url, room, "direct-on-other-node");
    expect([transportOf(ws), transportOf(poll), transportOf(direct)]).toEqual(["websocket", "polling", "websocket"]);

    const requests = fake.requests.length;
    fake.enqueue(tokenScript(TOKENS, { delayMs: 2 }));
    // Asked on the other node: the viewers behind nginx get the answer over the Redis adapter.
    const { replyId } = await direct.send("fan out through nginx");
    const finals = await Promise.all([ws, poll, direct].map((v) => ended(v, replyId)));
    for (const final of finals) expect(final).toMatchObject({ status: "done", text: expectedText(TOKENS) });
    expect(fake.requests.length - requests).toBe(1);

    // Every polling request went to the one node that holds the session, and none was refused.
    const polling = proxy()
      .accessLog()
      .filter((line) => line.includes("transport=polling"));
    expect(polling.length).toBeGreaterThan(1);
    for (const line of polling) {
      expect(line).toContain(`upstream=127.0.0.1:${sticky.port}`);
      expect(line).not.toMatch(/" 400 /);
    }
    for (const v of [ws, poll, direct]) expect(v.stats.joins).toBe(1);
    for (const node of nodes) expect(problems(node)).toEqual([]);
  });

  it(`a ${SILENCE_MS / 1000} s silence mid-answer, longer than nginx's read timeout, disconnects no viewer, WebSocket or polling (Socket.IO pings keep the connections alive)`, async () => {
    const { readTimeoutSeconds: readTimeout, url } = proxy();
    expect(readTimeout * 1000).toBeLessThan(SILENCE_MS);
    // One room per transport, so that nothing but the pings crosses either connection during
    // the silence (a reconnecting neighbour's presence updates would keep the other alive).
    const [ws, poll] = await Promise.all([
      viewer(url, "silence-ws", "ws-via-nginx"),
      pollingViewer(url, "silence-polling", "poll-via-nginx"),
    ]);
    const viewers = [ws, poll];
    const disconnects = viewers.map(countDisconnects);

    const script = () => {
      const paused = tokenScript(TOKENS, { gateAfter: { tokens: 10, gate: "silence" } });
      return { ...paused, steps: paused.steps.map((step) => ("gate" in step ? { wait: SILENCE_MS } : step)) };
    };
    fake.enqueue(script(), script());
    const replies = await Promise.all(viewers.map((v) => v.send("think for a while")));
    const partial = expectedText(TOKENS.slice(0, 10));
    await Promise.all(
      viewers.map((v, i) =>
        waitFor(() => v.getMessage(replies[i]!.replyId)?.text === partial, { what: `${v.name} to see the first part` }),
      ),
    );
    const silenceStarted = Date.now();

    const finals = await Promise.all(viewers.map((v, i) => ended(v, replies[i]!.replyId, SILENCE_MS + 15_000)));
    // The silence really outlasted nginx's read timeout while the viewers waited.
    expect(Date.now() - silenceStarted).toBeGreaterThan(readTimeout * 1000);
    for (const final of finals) expect(final).toMatchObject({ status: "done", text: expectedText(TOKENS) });
    expect(viewers.map(transportOf)).toEqual(["websocket", "polling"]);
    expect(disconnects.map((d) => d.count)).toEqual([0, 0]);
    expect(viewers.map((v) => v.stats.joins)).toEqual([1, 1]);
    expect(proxy().errorLog()).not.toMatch(/upstream timed out/);
  }, 60_000);

  it("an SSE viewer through nginx gets deltas as they are produced, and heartbeats carry it through a silence longer than the read timeout", async () => {
    const { readTimeoutSeconds: readTimeout, url } = proxy();
    const silenceMs = readTimeout * 1000 + 2000; // just past the timeout: the test stays short
    const room = "sse-via-nginx";
    const stream = await openSse(`${url}/api/rooms/${room}/events`);
    expect(stream.status).toBe(200);
    await stream.until((s) => s.retry !== undefined, "the event stream to start through nginx");
    const asker = await viewer(url, room, "asker");

    const paused = tokenScript(TOKENS, { gateAfter: { tokens: 10, gate: "sse-silence" } });
    fake.enqueue({ ...paused, steps: paused.steps.map((step) => ("gate" in step ? { wait: silenceMs } : step)) });
    const { replyId } = await asker.send("think for a while");
    const view = new RoomText();
    // The first part arrives while the upstream holds the rest: nginx passes deltas on at once.
    await stream.until(
      (s) => view.apply(s).text(replyId) === expectedText(TOKENS.slice(0, 10)),
      "the first part through nginx",
    );
    expect(hasEnd(stream, replyId)).toBe(false);
    const silenceStarted = Date.now();
    const pingsBefore = stream.comments.length;

    await stream.until((s) => hasEnd(s, replyId) || s.ended, "the end after the silence", silenceMs + 15_000);
    expect(Date.now() - silenceStarted).toBeGreaterThan(readTimeout * 1000);
    expect(stream.ended, "the stream was cut").toBe(false);
    expect(stream.comments.length - pingsBefore).toBeGreaterThan(0);
    expect(view.apply(stream).text(replyId)).toBe(expectedText(TOKENS));
    expect(view.problems).toEqual([]);
    expect(proxy().errorLog()).not.toMatch(/upstream timed out/);
  }, 60_000);
});

function hasEnd(stream: SseStream, messageId: string): boolean {
  return stream.events.some((e) => e.event === "end" && (e.data as { messageId: string }).messageId === messageId);
}
