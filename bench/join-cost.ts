/**
 * Per-join cost in the core alone (`npx tsx bench/join-cost.ts`, ~10 s): the node's own work for a
 * join with no sockets — admit, join (limits, voter id, snapshot, member list), the byte budget's
 * measure of the ack and the ack's JSON (what Socket.IO's encoder does) — for BENCH_STORM_JOINS
 * (5,000) joins into one room whose answer is streaming (JOIN_COST_ANSWER_KB of text so far,
 * growing by one delta every JOIN_COST_JOINS_PER_DELTA joins: 50 tok/s in 150 ms windows at 500
 * joins/s). Prints the process's CPU time per 500 joins. One process, memory mode.
 */
import type { JoinPayload, Message } from "@tokencast/protocol";
import { createApp } from "../packages/server/src/app.ts";
import { loadConfig } from "../packages/server/src/config.ts";
import type { Logger } from "../packages/server/src/core/ports.ts";
import { replyBytes } from "../packages/server/src/realtime/byte-budget.ts";
import { memoryBackend } from "../packages/server/src/store/backend.ts";
import { createAnswerSource } from "../packages/server/src/upstream/index.ts";

const JOINS = Number(process.env.BENCH_STORM_JOINS ?? 5_000);
const ANSWER_KB = Number(process.env.JOIN_COST_ANSWER_KB ?? 24);
const JOINS_PER_DELTA = Number(process.env.JOIN_COST_JOINS_PER_DELTA ?? 75);
const BLOCK = 500;
const ROOM = "join-cost";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };

async function main(): Promise<void> {
  const config = loadConfig({ PORT: "0", LLM_MAX_CONCURRENT: "0", MAX_MEMBERS_PER_IP_PER_ROOM: "0" });
  const backend = memoryBackend(config);
  const app = createApp({ ...backend, config, logger: quiet, source: createAnswerSource(config.llm) });
  const answer = await streamingAnswer(backend.store);
  let seq = answer.seq;
  const perBlock: number[] = [];
  let blockStart = process.cpuUsage();
  let bytes = 0;
  for (let i = 0; i < JOINS; i++) {
    if (i % JOINS_PER_DELTA === 0) await backend.store.appendDelta(ROOM, answer.id, { seq: ++seq, text: token(seq) });
    const id = `c${i}`;
    app.rooms.connect(id, `10.0.${Math.floor(i / 250)}.${i % 250}`);
    const payload: JoinPayload = { roomId: ROOM, name: `viewer-${i}` };
    const ack = { ok: true, ...(await app.rooms.join(id, payload, await app.rooms.admit(payload))) };
    bytes += replyBytes(ack) + JSON.stringify([ack]).length;
    if ((i + 1) % BLOCK === 0) {
      perBlock.push(cpuMs(process.cpuUsage(blockStart)));
      blockStart = process.cpuUsage();
    }
  }
  await app.close();
  console.log(`| joins | ${perBlock.map((_, b) => `${b * BLOCK}–${(b + 1) * BLOCK}`).join(" | ")} |`);
  console.log(`| ms CPU per ${BLOCK} joins | ${perBlock.map((ms) => ms.toFixed(0)).join(" | ")} |`);
  const steady = perBlock.slice(2).sort((a, b) => a - b);
  const median = steady[Math.floor(steady.length / 2)]! / BLOCK;
  const ackKiB = bytes / 2 / JOINS / 1024;
  console.log(`after the first ${2 * BLOCK} (JIT warm-up), median block: ${median.toFixed(3)} ms CPU per join`);
  console.log(`join ack ${ackKiB.toFixed(1)} KiB`);
}

/** An answer in progress with ANSWER_KB of text, as a join storm meets it. */
async function streamingAnswer(store: ReturnType<typeof memoryBackend>["store"]): Promise<Message> {
  const answer: Message = {
    ...{ id: "answer", roomId: ROOM, role: "assistant", author: "model", text: "", seq: 0 },
    ...{ status: "streaming", createdAt: Date.now() },
  };
  await store.addMessage(answer);
  while (answer.text.length < ANSWER_KB * 1024) {
    answer.seq += 1;
    answer.text += token(answer.seq);
    await store.appendDelta(ROOM, answer.id, { seq: answer.seq, text: token(answer.seq) });
  }
  return answer;
}

/** CPU time (user + system) of this process, in ms: other processes' load does not count. */
function cpuMs({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

/** A delta's text like the bench upstream's: a timestamp per token. */
function token(seq: number): string {
  return `<t>${1_764_000_000_000 + seq}.123 `;
}

await main();
