/**
 * Every upstream failure ends the answer `error` with a named code for every viewer, keeps the
 * partial text, leaves the node up, and the room takes the next question.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "@tokencast/protocol";
import { closeAllClients, ended, viewers } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream, type Script } from "./helpers/fake-upstream.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import {
  errorEventMidStream,
  expectedText,
  httpError,
  malformedJsonLine,
  tokenScript,
} from "./helpers/upstream-scripts.ts";

let fake: FakeUpstream;
let node: ServerNode;
let roomCounter = 0;

beforeAll(async () => {
  fake = await startFakeUpstream();
  node = await startNode({
    LLM_BASE_URL: fake.url,
    LLM_FIRST_TOKEN_TIMEOUT_MS: "700",
    LLM_IDLE_TIMEOUT_MS: "700",
  });
});

afterEach(() => closeAllClients());

afterAll(async () => {
  await node?.stop();
  await fake?.close();
});

const BEFORE = ["Partial ", "answer ", "so ", "far."];
const SECRET_PATH = "/models/secret/llama.gguf";
const SECRET_URL = "http://10.9.8.7:8080/v1/chat/completions";

interface Case {
  name: string;
  script: Script;
  code: ErrorCode;
  partial: string;
  status?: number;
}

const cases: Case[] = [
  {
    name: "HTTP 500 with a JSON body",
    script: httpError(500, JSON.stringify({ error: { message: "boom", code: 500 } })),
    code: "upstream_http_error",
    partial: "",
    status: 500,
  },
  {
    name: "HTTP 404 with an HTML body",
    script: httpError(404, "<html><body><h1>404 Not Found</h1></body></html>", "text/html"),
    code: "upstream_http_error",
    partial: "",
    status: 404,
  },
  {
    name: "HTTP 503 while the model loads",
    script: httpError(503, JSON.stringify({ error: { message: "Loading model" } }), "application/json", {
      "Retry-After": "5",
    }),
    code: "upstream_model_loading",
    partial: "",
    status: 503,
  },
  {
    name: "connection reset mid-stream",
    script: tokenScript(BEFORE, { tail: "reset" }),
    code: "upstream_stream_error",
    partial: expectedText(BEFORE),
  },
  {
    name: "EOF without [DONE]",
    script: tokenScript(BEFORE, { tail: "truncate" }),
    code: "upstream_truncated",
    partial: expectedText(BEFORE),
  },
  {
    name: "an error event mid-stream, then [DONE]",
    script: errorEventMidStream(BEFORE, true),
    code: "upstream_stream_error",
    partial: expectedText(BEFORE),
  },
  {
    name: "an error event mid-stream, then EOF",
    script: errorEventMidStream(BEFORE, false),
    code: "upstream_stream_error",
    partial: expectedText(BEFORE),
  },
  {
    name: "a malformed JSON line",
    script: malformedJsonLine(BEFORE),
    code: "upstream_bad_response",
    partial: expectedText(BEFORE),
  },
  {
    name: "no first token in time",
    script: { headersDelayed: true, steps: [{ hang: true }] },
    code: "upstream_timeout",
    partial: "",
  },
  {
    name: "silence mid-stream beyond the idle timeout",
    script: tokenScript(BEFORE, { tail: "hang" }),
    code: "upstream_timeout",
    partial: expectedText(BEFORE),
  },
  {
    name: "a connection reset before any answer",
    script: { headersDelayed: true, steps: [{ reset: true }] },
    code: "upstream_unreachable",
    partial: "",
  },
  {
    name: "HTTP 500 naming a file and the server's address",
    script: httpError(
      500,
      JSON.stringify({ error: { message: `open ${SECRET_PATH}: no such file (upstream ${SECRET_URL})` } }),
    ),
    code: "upstream_http_error",
    partial: "",
    status: 500,
  },
  {
    name: "HTTP 500 with an HTML stack page",
    script: httpError(
      500,
      `<html><body><h1>500</h1><pre>Error: boom\n    at load (${SECRET_PATH}:1:1)</pre></body></html>`,
      "text/html",
    ),
    code: "upstream_http_error",
    partial: "",
    status: 500,
  },
  {
    name: "an error event naming a path",
    script: {
      steps: [{ write: `data: {"error":{"message":"ECONNREFUSED ${SECRET_URL} reading ${SECRET_PATH}"}}\n\n` }],
    },
    code: "upstream_stream_error",
    partial: "",
  },
];

/** What must never reach a member: the upstream's own address and files, and internal error codes. */
function shownInsides(message: string): string[] {
  const insides = [
    new URL(fake.url).host,
    "127.0.0.1",
    "http://",
    SECRET_PATH,
    "/models",
    "10.9.8.7",
    "UND_ERR",
    "ECONN",
    "ETIMEDOUT",
    "EPIPE",
  ];
  return insides.filter((inside) => message.includes(inside));
}

describe("upstream faults", () => {
  it.each(cases)("$name → every viewer gets error $code with the partial text", async (c) => {
    const roomId = `fault-${++roomCounter}`;
    const room = await viewers(node.url, roomId, 3);
    fake.enqueue(c.script);
    const { replyId } = await room[0]!.send("question");
    const finals = await Promise.all(room.map((v) => ended(v, replyId)));
    for (const m of finals) {
      expect(m.status).toBe("error");
      expect(m.error?.code).toBe(c.code);
      expect(m.error?.message.length).toBeGreaterThan(5);
      expect(shownInsides(m.error?.message ?? ""), m.error?.message).toEqual([]);
      if (c.status) expect(m.error?.status).toBe(c.status);
      expect(m.text).toBe(c.partial);
    }
    fake.enqueue(tokenScript(["Recovered."]));
    const next = await room[1]!.send("again");
    expect((await ended(room[2]!, next.replyId)).text).toBe("Recovered.");
    expect(node.exitCode).toBeUndefined();
  });

  it("a 503 carries Retry-After to viewers as a field, not as words (the client says the wait once)", async () => {
    const [v] = await viewers(node.url, `fault-${++roomCounter}`, 1);
    fake.enqueue(httpError(503, "loading", "text/plain", { "Retry-After": "12" }));
    const { replyId } = await v!.send("q");
    expect((await ended(v!, replyId)).error).toEqual({
      code: "upstream_model_loading",
      message: "The model is still loading on the LLM server.",
      status: 503,
      retryAfter: 12,
    });
  });

  it("logged nothing at error level for upstream faults (they are expected, not bugs)", () => {
    expect(problems(node).filter((line) => !line.includes("upstream"))).toEqual([]);
  });
});

describe("unreachable upstream", () => {
  it("connection refused → upstream_unreachable, and the node stays up for the next question", async () => {
    const closed = await startFakeUpstream();
    const url = closed.url;
    await closed.close();
    const lonely = await startNode({ LLM_BASE_URL: url });
    try {
      const [v] = await viewers(lonely.url, "refused", 1);
      for (let attempt = 0; attempt < 2; attempt++) {
        const { replyId } = await v!.send(`question ${attempt}`);
        const final = await ended(v!, replyId);
        expect(final.status).toBe("error");
        expect(final.error?.code).toBe("upstream_unreachable");
        expect(final.error?.message).toMatch(/refused/);
        for (const inside of [new URL(url).host, "http://", "ECONNREFUSED"])
          expect(final.error?.message).not.toContain(inside);
      }
      expect(lonely.exitCode).toBeUndefined();
      // The operator still learns where and why: the log has the address and the code.
      const logged = lonely.logs.filter((line) => line.msg === "answer failed").map((line) => JSON.stringify(line.err));
      expect(
        logged.some((err) => err.includes(new URL(url).host) && err.includes("ECONNREFUSED")),
        logged.join("\n"),
      ).toBe(true);
    } finally {
      closeAllClients();
      await lonely.stop();
    }
  });
});
