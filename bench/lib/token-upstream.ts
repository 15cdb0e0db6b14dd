/**
 * A minimal OpenAI-compatible streaming server for benchmarks: each token's text is the epoch
 * time it was written (`<t>` + ms + space), so a viewer can compute token → viewer delay.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { epochMs } from "./clock.ts";

export interface TokenPlan {
  tokens: number;
  tokensPerSecond: number;
  /** Write this many tokens at once (no pacing) before pacing the rest. */
  burst?: number;
  /** Keep the response open after the tokens until release() (late-join measurements). */
  hold?: boolean;
}

export interface TokenUpstream {
  url: string;
  plan: TokenPlan;
  requests: number;
  release(): void;
  close(): Promise<void>;
}

const token = () => `<t>${epochMs().toFixed(3)} `;
/** Characters in one token's text (fixed width: 13-digit epoch ms with 3 decimals). */
export const TOKEN_CHARS = token().length;

const chunk = (content: string) =>
  `data: {"choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]}\n\n`;
const FINISH = `data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;

export async function startTokenUpstream(plan: TokenPlan): Promise<TokenUpstream> {
  let releaseHold: () => void = () => {};
  const upstream: TokenUpstream = {
    url: "",
    plan,
    requests: 0,
    release: () => releaseHold(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    upstream.requests += 1;
    req.resume();
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.socket?.setNoDelay(true);
    const held = new Promise<void>((resolve) => (releaseHold = resolve));
    void stream(res, upstream.plan, held);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}

async function stream(res: ServerResponse, plan: TokenPlan, held: Promise<void>): Promise<void> {
  const interval = 1000 / plan.tokensPerSecond;
  const start = epochMs();
  const burst = plan.burst ?? 0;
  for (let i = 0; i < plan.tokens; i++) {
    if (i >= burst) {
      const due = start + (i - burst) * interval;
      const wait = due - epochMs();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (res.destroyed) return;
    res.write(chunk(token()));
  }
  if (plan.hold) await held;
  res.end(FINISH);
}

/** Token timestamps inside a delta's text. */
export function stampsIn(text: string): number[] {
  const stamps: number[] = [];
  for (const match of text.matchAll(/<t>(\d+\.\d+) /g)) stamps.push(Number(match[1]));
  return stamps;
}
