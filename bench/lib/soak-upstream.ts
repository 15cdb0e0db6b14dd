/**
 * The soak's fake LLM: an OpenAI-compatible streaming endpoint that answers the last user
 * message "soak <seed> <tokens> <rate>" with answerTokens(seed, tokens), paced at <rate> tok/s.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerTokens, parseQuestion, type AnswerPlan } from "./soak-text.ts";

export interface SoakUpstream {
  url: string;
  requests: number;
  close(): Promise<void>;
}

const chunk = (content: string) =>
  `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;
const FINISH = `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;

async function body(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString();
}

const FALLBACK: AnswerPlan = { seed: 0, tokens: 10, tokensPerSecond: 100 };

function planOf(raw: string): AnswerPlan {
  let request: { messages?: Array<{ role: string; content: string }> };
  try {
    request = JSON.parse(raw) as typeof request;
  } catch {
    // Not a chat request (e.g. a probe with no body): a short answer does no harm.
    return FALLBACK;
  }
  const last = request.messages?.filter((m) => m.role === "user").at(-1);
  return parseQuestion(last?.content ?? "") ?? FALLBACK;
}

async function stream(res: ServerResponse, plan: AnswerPlan): Promise<void> {
  const interval = 1000 / plan.tokensPerSecond;
  const start = performance.now();
  const tokens = answerTokens(plan.seed, plan.tokens);
  for (let i = 0; i < tokens.length; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (res.destroyed) return;
    res.write(chunk(tokens[i]!));
  }
  res.end(FINISH);
}

export async function startSoakUpstream(): Promise<SoakUpstream> {
  const upstream: SoakUpstream = {
    url: "",
    requests: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    upstream.requests += 1;
    if (req.method !== "POST") {
      // A node checking the LLM server (e.g. GET /v1/models): answer an empty list.
      req.resume();
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"object":"list","data":[]}');
      return;
    }
    void body(req).then((raw) => {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      return stream(res, planOf(raw));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}
