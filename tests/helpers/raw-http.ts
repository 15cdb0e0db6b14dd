/**
 * HTTP requests sent byte for byte as written (node:http): `fetch` and URL parsing normalise
 * paths (`/./`, `%61`, case of escapes), which would hide what an odd spelling reaches.
 */
import { request } from "node:http";

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, or its first bytes for a stream (an SSE answer is cut after its headers). */
  body: string;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const STREAM_TYPES = /text\/event-stream/;
const TIMEOUT_MS = 10_000;

/** Sends `path` verbatim to `baseUrl`'s host; reads the whole body unless it is an event stream. */
export function rawRequest(baseUrl: string, path: string, init: RawRequest = {}): Promise<RawReply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname, port, path, method: init.method ?? "GET", headers: init.headers, timeout: TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        const reply = () => ({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        if (STREAM_TYPES.test(String(res.headers["content-type"]))) {
          resolve(reply());
          return void req.destroy(); // an open room stream: its headers say enough
        }
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve(reply()));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${init.method ?? "GET"} ${path}: no answer in ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(init.body);
  });
}

/** The body parsed as JSON, or undefined. */
export function jsonOf(reply: RawReply): unknown {
  try {
    return JSON.parse(reply.body);
  } catch {
    // Not JSON: the caller's assertion says what it expected.
    return undefined;
  }
}
