/**
 * DESIGN rule 7: a viewer that stops reading (a stalled phone, a frozen tab) cannot stall the
 * room or make the server queue the whole answer for it. It stops receiving deltas past a bound
 * and catches up from the log once it reads again — or is disconnected if it stays stuck.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import type { Socket as NetSocket } from "node:net";
import type { RoomConnection } from "@tokencast/client/connection";
import { closeAllClients, ended, viewer } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";
import { waitFor } from "./helpers/wait.ts";

/** ~16 MiB in 4 KiB deltas: more than loopback's socket buffers can absorb for a reader that stopped. */
const TOKENS = Array.from({ length: 4000 }, (_, i) => `${String(i).padStart(6, "0")}${"x".repeat(4090)}`);
const FULL = expectedText(TOKENS);

let fake: FakeUpstream;
const nodes: ServerNode[] = [];

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterEach(async () => {
  closeAllClients();
  await Promise.all(nodes.splice(0).map((n) => n.stop("SIGKILL")));
});
afterAll(async () => {
  await fake?.close();
});

async function node(env: Record<string, string>): Promise<ServerNode> {
  // The answers here are megabytes long on purpose: no answer-size cap (LLM_MAX_ANSWER_CHARS=0).
  const started = await startNode({
    LLM_BASE_URL: fake.url,
    SLOW_VIEWER_MAX_BUFFER_BYTES: String(256 * 1024),
    LLM_MAX_ANSWER_CHARS: "0",
    ...env,
  });
  nodes.push(started);
  return started;
}

/** The TCP socket under a viewer's WebSocket: pausing it stops reading, as a stalled device would. */
function tcpOf(connection: RoomConnection): NetSocket {
  const engine = connection.socket.io.engine as unknown as { transport: { ws: { _socket: NetSocket } } };
  return engine.transport.ws._socket;
}

function countLiveDeltas(connection: RoomConnection): { count: number } {
  const counter = { count: 0 };
  connection.socket.on("chat:delta", () => counter.count++);
  return counter;
}

describe("slow viewers", () => {
  it("a viewer that stops reading stops getting deltas (others are not held up) and catches up from the log when it reads again", async () => {
    const server = await node({ SLOW_VIEWER_DISCONNECT_MS: "60000" });
    const [fast1, fast2, slow] = [
      await viewer(server.url, "slow-room", "fast-1"),
      await viewer(server.url, "slow-room", "fast-2"),
      await viewer(server.url, "slow-room", "slow"),
    ];
    const live = countLiveDeltas(slow);
    tcpOf(slow).pause();
    fake.enqueue(tokenScript(TOKENS));
    const { replyId } = await fast1.send("a very long answer");
    const [a, b] = await Promise.all([ended(fast1, replyId, 60_000), ended(fast2, replyId, 60_000)]);
    expect(a).toMatchObject({ status: "done", text: FULL });
    expect(b.text).toBe(FULL);
    expect(slow.getMessage(replyId)?.status).not.toBe("done"); // still stuck while the others finished
    await waitFor(() => server.logs.some((l) => String(l.msg).startsWith("slow viewer: deltas paused")), {
      what: "the server to pause the slow viewer",
    });

    tcpOf(slow).resume();
    const caughtUp = await ended(slow, replyId, 60_000);
    expect(caughtUp).toMatchObject({ status: "done", text: FULL, seq: a.seq });
    expect(live.count).toBeLessThan(a.seq / 2); // most of the answer came from the log, not from a server-side queue
    expect(slow.stats.resumes).toBeGreaterThan(0);
    expect(problems(server)).toEqual([]);
  });

  it("a viewer stuck for longer than the bound is disconnected, then reconnects and gets the whole answer", async () => {
    const server = await node({ SLOW_VIEWER_DISCONNECT_MS: "500" });
    const fast = await viewer(server.url, "stuck-room", "fast");
    const stuck = await viewer(server.url, "stuck-room", "stuck");
    tcpOf(stuck).pause();
    fake.enqueue(tokenScript(TOKENS));
    const { replyId } = await fast.send("a very long answer");
    expect((await ended(fast, replyId, 60_000)).text).toBe(FULL);
    await waitFor(() => server.logs.some((l) => String(l.msg).startsWith("slow viewer disconnected")), {
      what: "the server to drop the stuck viewer",
    });
    tcpOf(stuck).resume();
    expect(await ended(stuck, replyId, 60_000)).toMatchObject({ status: "done", text: FULL });
    expect(stuck.stats.joins).toBeGreaterThanOrEqual(2);
    expect(problems(server)).toEqual([]);
  });
});
