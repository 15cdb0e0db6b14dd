/**
 * Bytes the question queue costs each member during a vote storm (`npx tsx bench/queue-storm.ts`,
 * ~40 s; not part of `pnpm bench`). One node; a presentation with 50 queued questions; 50 voters
 * (one connection each) vote, all for one question or each for another, at once or one every
 * 100 ms (a storm that lasts); a member who only watches counts the queue events it receives
 * (`queue:*`, JSON bytes of their payloads).
 * Works against any version of the server (it counts whichever queue event the node sends).
 */
import { io, type Socket } from "socket.io-client";
import { startNode, type ServerNode } from "../tests/helpers/spawn-node.ts";
import { waitFor } from "../tests/helpers/wait.ts";

const QUESTIONS = 50;
const VOTERS = 50;
const QUIET_MS = 800;

interface Tally {
  bytes: number;
  events: number;
  first: number;
  last: number;
}

function connect(url: string): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function ask<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const reply = (await socket.timeout(10_000).emitWithAck(event, payload)) as { ok: boolean; error?: unknown } & T;
  if (!reply.ok) throw new Error(`${event} refused: ${JSON.stringify(reply.error)}`);
  return reply;
}

async function createPresentation(url: string): Promise<string> {
  const response = await fetch(`${url}/api/rooms`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ title: "Storm", mode: "presentation" }),
  });
  return ((await response.json()) as { room: { id: string } }).room.id;
}

function watch(socket: Socket): Tally {
  const tally: Tally = { bytes: 0, events: 0, first: 0, last: 0 };
  socket.onAny((event: string, payload: unknown) => {
    if (!event.startsWith("queue:")) return;
    const now = performance.now();
    if (tally.events === 0) tally.first = now;
    tally.events++;
    tally.last = now;
    tally.bytes += JSON.stringify(payload).length;
  });
  return tally;
}

async function quiet(tally: Tally): Promise<void> {
  await waitFor(() => tally.events > 0 && performance.now() - tally.last > QUIET_MS, {
    timeoutMs: 30_000,
    what: "the queue to settle",
  });
}

async function storm(node: ServerNode, textLength: number, spread: boolean, paceMs: number): Promise<string> {
  const roomId = await createPresentation(node.url);
  const join = (socket: Socket, name: string) => ask(socket, "room:join", { roomId, name });
  const watcher = await connect(node.url);
  await join(watcher, "Watcher");
  const tally = watch(watcher);
  const asker = await connect(node.url);
  await join(asker, "Asker");
  const ids: string[] = [];
  for (let i = 0; i < QUESTIONS; i++) {
    const text = `Question ${i}: ${"lorem ipsum ".repeat(textLength / 12)}`.slice(0, textLength);
    ids.push((await ask<{ questionId: string }>(asker, "queue:submit", { roomId, text })).questionId);
  }
  await quiet(tally);
  const voters = await Promise.all(Array.from({ length: VOTERS }, () => connect(node.url)));
  await Promise.all(voters.map((voter, i) => join(voter, `Voter ${i}`)));
  Object.assign(tally, { bytes: 0, events: 0 });
  const started = performance.now();
  const votes: Array<Promise<unknown>> = [];
  for (const [i, voter] of voters.entries()) {
    votes.push(ask(voter, "queue:vote", { roomId, questionId: spread ? ids[i]! : ids[QUESTIONS - 1]! }));
    if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
  }
  await Promise.all(votes);
  await quiet(tally);
  const seconds = Math.max(tally.last - started, 1) / 1000;
  for (const socket of [watcher, asker, ...voters]) socket.close();
  const target = spread ? "50 questions, one vote each" : "one question";
  const when = paceMs > 0 ? `one every ${paceMs} ms` : "at once";
  const kib = tally.bytes / 1024;
  const rate = `${(kib / seconds).toFixed(1)} KiB/s over ${seconds.toFixed(2)} s`;
  return `| ${textLength} | ${target}, ${when} | ${tally.events} | ${kib.toFixed(1)} KiB | ${rate} |`;
}

async function main(): Promise<void> {
  const node = await startNode({});
  try {
    const rows = [
      "| question length | 50 votes on | queue events per member | bytes per member | rate |",
      "| --- | --- | --- | --- | --- |",
    ];
    for (const textLength of [200, 2000]) {
      for (const [spread, paceMs] of [
        [false, 0],
        [true, 0],
        [true, 100],
      ] as const)
        rows.push(await storm(node, textLength, spread, paceMs));
    }
    console.log(rows.join("\n"));
  } finally {
    await node.stop();
  }
}

await main();
