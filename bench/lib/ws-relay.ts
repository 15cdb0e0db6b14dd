/**
 * The baseline for (b): a minimal broadcast relay on the raw `ws` library, in its own process.
 * Every text message from a producer connection (path /producer) is sent to every other
 * connected client, as is. No rooms, no acks, no encoding. Per-message deflate is off, as in
 * Socket.IO's default.
 *
 * argv: mode — "naive": `client.send(data)` per client (what the ws README shows);
 *              "preframed": the WebSocket frame is built once per message and written to every
 *              client (ws's private Sender.frame/sendFrame, the trick socket.io-adapter uses).
 * IPC in:  { type: "reset" } (restart the probe), { type: "probe" }
 * IPC out: { type: "listening", port }, { type: "probe", stats }
 */
import type { AddressInfo } from "node:net";
import * as ws from "ws";
import { WebSocketServer, type WebSocket } from "ws";
import { createProbe } from "./node-probe.mjs";

/** ws internals (untyped): build a frame once, write it to many sockets. */
interface FrameApi {
  Sender: {
    frame(
      data: Buffer,
      options: { readOnly: boolean; mask: boolean; rsv1: boolean; opcode: number; fin: boolean },
    ): Buffer[];
  };
}
interface WithSender {
  _sender: { sendFrame(frame: Buffer[], cb?: () => void): void };
}

const mode = process.argv[2] === "preframed" ? "preframed" : "naive";
const viewers = new Set<WebSocket>();
/**
 * As deep an accept queue as the Tokencast node's (app.ts, 4,096; Node's default is 511): the same
 * audience connects to both, and the floor must not lose viewers the node would have kept.
 */
const LISTEN_BACKLOG = 4096;
const server = new WebSocketServer({ host: "127.0.0.1", port: 0, backlog: LISTEN_BACKLOG, perMessageDeflate: false });

function broadcast(data: Buffer): void {
  if (mode === "naive") {
    for (const viewer of viewers) viewer.send(data, { binary: false });
    return;
  }
  const frame = (ws as unknown as FrameApi).Sender.frame(data, {
    readOnly: false,
    mask: false,
    rsv1: false,
    opcode: 1,
    fin: true,
  });
  for (const viewer of viewers) (viewer as unknown as WithSender)._sender.sendFrame(frame);
}

server.on("connection", (socket, request) => {
  if (request.url === "/producer") {
    socket.on("message", broadcast);
    return;
  }
  viewers.add(socket);
  socket.on("close", () => viewers.delete(socket));
  socket.on("error", () => viewers.delete(socket));
});

server.on("listening", () => process.send?.({ type: "listening", port: (server.address() as AddressInfo).port }));
process.on("disconnect", () => process.exit(0));

const probe = createProbe();
process.on("message", (message: { type: string }) => {
  if (message.type === "reset") probe.reset();
  if (message.type === "probe") process.send?.({ type: "probe", stats: probe.snapshot() });
});
