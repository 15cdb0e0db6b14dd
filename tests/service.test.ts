/** The service as a newcomer runs it: demo model, web client, health, config errors, shutdown. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { closeAllClients, ended, viewer, viewers } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { waitFor } from "./helpers/wait.ts";

let node: ServerNode;

beforeAll(async () => {
  // Fast enough for a short test, slow enough that a loaded machine's stalls (which coalesce what
  // piled up into one delta) cannot fold the whole answer into a few deltas.
  node = await startNode({ DEMO_TOKENS_PER_SECOND: "250" });
});

afterEach(() => closeAllClients());

afterAll(async () => {
  await node?.stop();
});

describe("embedded defaults", () => {
  it("says in the startup log that the demo model and memory store are in use", () => {
    const text = node.logs.map((l) => String(l.msg)).join("\n");
    expect(text).toMatch(/DEMO model/);
    expect(text).toMatch(/in memory/);
  });

  it("answers with the demo model, labelled as such, streamed in many deltas", async () => {
    const [a, b] = await viewers(node.url, "demo-room", 2);
    expect(a!.room).toMatchObject({ demo: true, model: "tokencast-demo" });
    const { replyId } = await a!.send("How do I deploy this?");
    const [fa, fb] = await Promise.all([ended(a!, replyId), ended(b!, replyId)]);
    expect(fa.status).toBe("done");
    expect(fa.demo).toBe(true);
    expect(fa.text).toBe(fb.text);
    expect(fa.text).toMatch(/LLM_BASE_URL/);
    expect(fa.text).toContain("```");
    expect(fa.seq).toBeGreaterThan(3);
  });

  it("serves the web client at / and /r/<room>, and health endpoints", async () => {
    for (const path of ["/", "/r/some-room"]) {
      const res = await fetch(node.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(await res.text()).toMatch(/<script type="module"/);
    }
    const health = await (await fetch(`${node.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, demo: true });
    const ready = await fetch(`${node.url}/readyz`);
    expect(ready.status).toBe(200);
    const missing = await fetch(`${node.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ ok: false, error: { code: "not_found" } });
  });
});

describe("configuration", () => {
  it.each([
    [{ PORT: "not-a-port" }, /PORT/],
    [{ LLM_BASE_URL: "not a url" }, /LLM_BASE_URL/],
    [{ LLM_API: "embeddings" }, /LLM_API/],
    [{ COALESCE_MS: "-5" }, /COALESCE_MS/],
  ])("refuses to start with an invalid setting %o, naming it", (env, pattern) => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "packages/server/src/main.ts"], {
      cwd: new URL("..", import.meta.url),
      env: { ...process.env, ...env },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(pattern);
  });
});

describe("shutdown (SIGTERM drains the node)", () => {
  let fake: FakeUpstream;
  beforeAll(async () => {
    fake = await startFakeUpstream();
  });
  afterAll(async () => {
    await fake?.close();
  });

  it("an answer in progress may finish within the grace period; new questions are refused meanwhile; exits 0", async () => {
    const draining = await startNode({ LLM_BASE_URL: fake.url, SHUTDOWN_GRACE_MS: "20000" });
    const watcher = await viewer(draining.url, "drain-room", "watcher");
    const tokens = ["finishes ", "during ", "the ", "drain."];
    fake.enqueue(tokenScript(tokens, { gateAfter: { tokens: 1, gate: "drain-finish" } }));
    const { replyId } = await watcher.send("answer while I shut down");
    await waitFor(() => (watcher.getMessage(replyId)?.seq ?? 0) >= 1);
    const exited = draining.stop("SIGTERM");
    await waitFor(() => draining.logs.some((l) => l.msg === "shutting down"), { what: "the drain to start" });
    await expect(watcher.send("one more?")).rejects.toMatchObject({ code: "server_shutdown" });
    fake.release("drain-finish");
    const final = await ended(watcher, replyId);
    expect(final).toMatchObject({ status: "done", text: expectedText(tokens) });
    expect(await exited).toBe(0);
    expect(problems(draining)).toEqual([]);
  });

  it("an answer still running at the end of the grace period ends `interrupted` for its viewers, keeping the text", async () => {
    const slow = await startNode({ LLM_BASE_URL: fake.url, SHUTDOWN_GRACE_MS: "300" });
    const watcher = await viewer(slow.url, "shutdown-room", "watcher");
    fake.enqueue(tokenScript(["kept ", "text ", "never"], { gateAfter: { tokens: 2, gate: "never-opens" } }));
    const { replyId } = await watcher.send("a long answer please");
    await waitFor(() => watcher.getMessage(replyId)?.text === "kept text ");
    const code = await slow.stop("SIGTERM");
    expect(code).toBe(0);
    const final = await waitFor(() => {
      const m = watcher.getMessage(replyId);
      return m?.status === "interrupted" ? m : undefined;
    });
    expect(final).toMatchObject({ text: "kept text ", error: { code: "server_shutdown" } });
    expect(problems(slow)).toEqual([]);
  });
});
