/**
 * A minimal Socket.IO viewer for audiences of thousands: one `ws` connection (engine.io v4,
 * default namespace), no socket.io-client, so that a 2-core machine can hold 10,000 of them
 * beside the node. It still does what a viewer must: it joins its room, answers pings, and
 * decodes every delta (JSON.parse) and hands its seq and text to the recorder, which checks them.
 *
 * Frames: server "0{…}" open → "40" connect; "2" ping → "3"; "40{…}" connected → join with ack
 * id 0; "430[{…}]" the join ack (its head read, the snapshot not parsed); "42[event, payload]".
 */
import WebSocket from "ws";
import { readAck } from "./raw-sio.ts";

const ACK_HEAD_BYTES = 256;

export interface ViewerHooks {
  joined(outcome: string): void;
  /** `frame` as Socket.IO sent it. */
  delta(seq: number, text: string, frame: string): void;
  /** A delta whose seq is not the one after this viewer's last, or an end whose seq is not its last delta's. */
  gap(): void;
  /** `frame` as Socket.IO sent it. */
  end(frame: string): void;
  /** The connection closed after the join was acknowledged, not by the returned closer (it sees no more answers). */
  lost(): void;
}

export function openLightViewer(
  url: string,
  join: { roomId: string; name: string },
  headers: Record<string, string>,
  handshakeTimeoutMs: number,
  hooks: ViewerHooks,
): () => void {
  const wsUrl = `${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
  const socket = new WebSocket(wsUrl, { headers, perMessageDeflate: false, handshakeTimeout: handshakeTimeoutMs });
  let settled = false;
  /** Joined (acknowledged ok): only then does a dropped connection lose a viewer of the answer. */
  let inRoom = false;
  const seqs = { last: 0 };
  const settle = (outcome: string) => {
    if (settled) return;
    settled = true;
    inRoom = outcome === "ok";
    hooks.joined(outcome);
  };
  socket.on("message", (data: Buffer) => {
    const type = data[0];
    if (type === 0x30 /* "0" */) socket.send("40");
    else if (type === 0x32 /* "2" */) socket.send("3");
    else if (data[1] === 0x30 /* "40" */) socket.send(`420${JSON.stringify(["room:join", join])}`);
    else if (data[1] === 0x33 /* "43" */) settle(joinOutcome(data));
    else if (data[1] === 0x32 /* "42" */) onEvent(data.toString(), seqs, hooks);
  });
  socket.on("error", () => settle("connect_error"));
  let closedHere = false;
  socket.on("close", () => {
    if (!settled) settle("closed");
    // Not after a failed connect ("error" settled it) or a refused join: those were counted already.
    else if (inRoom && !closedHere) hooks.lost();
  });
  return () => {
    closedHere = true;
    socket.terminate();
  };
}

function joinOutcome(data: Buffer): string {
  const head = data.subarray(0, ACK_HEAD_BYTES).toString();
  const ack = readAck(head, undefined, data.length);
  return ack.ok ? "ok" : (ack.code ?? "unreadable");
}

/** Every answer's deltas count from seq 1; a viewer joined before it starts must see each one, in order. */
function onEvent(frame: string, seqs: { last: number }, hooks: ViewerHooks): void {
  const [event, payload] = JSON.parse(frame.slice(2)) as [string, { seq: number; text: string }];
  if (event === "chat:delta") {
    if (payload.seq !== seqs.last + 1) hooks.gap();
    seqs.last = payload.seq;
    hooks.delta(payload.seq, payload.text, frame);
  } else if (event === "chat:end") {
    if (payload.seq !== seqs.last) hooks.gap();
    seqs.last = 0;
    hooks.end(frame);
  }
}
