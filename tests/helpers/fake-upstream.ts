/**
 * A fake OpenAI-compatible LLM server: a real HTTP server on 127.0.0.1 replaying scripted
 * responses byte-for-byte, with chosen timing, gates the test opens, and faults. It records
 * every request, and whether the client closed the connection before the script finished.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { waitFor } from "./wait.ts";

export type Step =
  { write: string | Uint8Array } | { wait: number } | { gate: string } | { reset: true } | { hang: true };

export interface Script {
  status?: number;
  headers?: Record<string, string>;
  /** Send no headers until the first write (LocalAI loading a model lazily). */
  headersDelayed?: boolean;
  steps: Step[];
}

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  startedAt: number;
  finished: boolean;
  closedByClient: boolean;
}

export interface FakeUpstream {
  url: string;
  requests: RecordedRequest[];
  /** The model ids `GET /v1/models` lists (default `["fake"]`). */
  models: string[];
  enqueue(...scripts: Script[]): void;
  fallback: Script;
  release(gate: string): void;
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  waitForClosed(index: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const SSE_HEADERS = { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no" };

class Gates {
  private readonly opened = new Set<string>();
  private readonly waiting = new Map<string, Array<() => void>>();

  release(name: string): void {
    this.opened.add(name);
    for (const resolve of this.waiting.get(name) ?? []) resolve();
    this.waiting.delete(name);
  }

  wait(name: string): Promise<void> {
    if (this.opened.has(name)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(name, [...(this.waiting.get(name) ?? []), resolve]));
  }
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const queue: Script[] = [];
  const gates = new Gates();
  const sockets = new Set<Socket>();
  const fake: FakeUpstream = {
    url: "",
    requests: [],
    models: ["fake"],
    fallback: defaultScript(),
    enqueue: (...scripts) => queue.push(...scripts),
    release: (gate) => gates.release(gate),
    waitForRequests: async (n, timeoutMs = 10_000) => {
      await waitFor(() => fake.requests.length >= n, { timeoutMs, what: `${n} upstream requests` });
    },
    waitForClosed: async (index, timeoutMs = 10_000) => {
      await waitFor(() => fake.requests[index]?.closedByClient, {
        timeoutMs,
        what: `request ${index} to be closed by the client`,
      });
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    // Nodes probe /v1/models for /readyz: answered aside, so probes neither take scripts nor count as requests.
    if (req.method === "GET" && /\/(v1\/)?models$/.test(req.url ?? "")) {
      res
        .writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ object: "list", data: fake.models.map((id) => ({ id, object: "model" })) }));
      return;
    }
    void handle(req, res, queue.shift() ?? fake.fallback, fake, gates);
  });
  server.on("connection", (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  script: Script,
  fake: FakeUpstream,
  gates: Gates,
): Promise<void> {
  const record: RecordedRequest = {
    path: req.url ?? "",
    headers: req.headers,
    body: undefined,
    startedAt: Date.now(),
    finished: false,
    closedByClient: false,
  };
  fake.requests.push(record);
  record.body = parseBody(await readBody(req));
  res.on("close", () => {
    if (!record.finished) record.closedByClient = true;
  });
  if (!/\/(v1\/)?(chat\/)?completions$/.test(req.url ?? "")) {
    record.finished = true;
    res
      .writeHead(404, { "Content-Type": "application/json" })
      .end(JSON.stringify({ error: { message: "no such route" } }));
    return;
  }
  res.statusCode = script.status ?? 200;
  for (const [name, value] of Object.entries({ ...(res.statusCode === 200 ? SSE_HEADERS : {}), ...script.headers }))
    res.setHeader(name, value);
  if (!script.headersDelayed) res.flushHeaders();
  await play(script.steps, res, gates, record);
}

async function play(steps: Step[], res: ServerResponse, gates: Gates, record: RecordedRequest): Promise<void> {
  for (const step of steps) {
    if (res.destroyed) return;
    if ("write" in step) res.write(step.write);
    else if ("wait" in step) await new Promise((resolve) => setTimeout(resolve, step.wait));
    else if ("gate" in step) await Promise.race([gates.wait(step.gate), closed(res)]);
    else if ("reset" in step) {
      record.finished = true;
      res.socket?.resetAndDestroy();
      return;
    } else if ("hang" in step) {
      await closed(res);
      return;
    }
  }
  if (res.destroyed) return;
  record.finished = true;
  res.end();
}

function closed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => (res.destroyed ? resolve() : res.once("close", () => resolve())));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", () => resolve(body));
  });
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Recorded as-is: a test may want to see exactly what arrived.
    return text;
  }
}

function defaultScript(): Script {
  const tokens = ["Hello ", "from ", "the ", "fake ", "upstream."];
  const chunk = (content: string) =>
    `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;
  const finish = `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;
  return { steps: [...tokens.map((t) => ({ write: chunk(t) })), { write: finish }] };
}
