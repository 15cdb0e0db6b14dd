/**
 * A load-generator process: opens `count` Socket.IO viewers on a room and reports, over IPC,
 * token → viewer delays for every token each viewer receives. Run by bench/run.ts via fork().
 *
 * argv: url roomId count
 * IPC in: "report" → sends { delays: number[], deltas: number, ends: number }
 */
import { io, type Socket } from "socket.io-client";
import { epochMs } from "./clock.ts";
import { stampsIn } from "./token-upstream.ts";

const [url, roomId, countArg] = process.argv.slice(2);
const count = Number(countArg);
const delays: number[] = [];
let deltas = 0;
let ends = 0;
let joined = 0;
const sockets: Socket[] = [];

function open(index: number): void {
  const socket = io(url!, { transports: ["websocket"], forceNew: true, reconnection: false });
  sockets.push(socket);
  socket.on("connect", () => {
    socket.emit("room:join", { roomId, name: `bench-${process.pid}-${index}` }, (ack: { ok: boolean }) => {
      if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
      joined += 1;
      if (joined === count) process.send?.({ type: "ready" });
    });
  });
  socket.on("chat:delta", (delta: { text: string }) => {
    const now = epochMs();
    deltas += 1;
    for (const stamp of stampsIn(delta.text)) delays.push(now - stamp);
  });
  socket.on("chat:end", () => {
    ends += 1;
    if (ends === count) process.send?.({ type: "ended" });
  });
}

process.on("message", (message: { type: string }) => {
  if (message.type === "report") {
    process.send?.({ type: "report", delays, deltas, ends });
    delays.length = 0;
    deltas = 0;
    ends = 0;
  }
  if (message.type === "exit") {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
});

// Open connections in small batches so the server's accept queue is not the thing measured.
let next = 0;
const opener = setInterval(() => {
  for (let i = 0; i < 50 && next < count; i++) open(next++);
  if (next >= count) clearInterval(opener);
}, 10);
