/**
 * A load-generator process (forked by bench/lib/swarms.ts). It opens viewers on command, either
 * Socket.IO viewers that join a Tokencast room, or raw `ws` clients of the relay
 * (bench/lib/ws-relay.ts), and records what they receive. Both kinds decode every frame the same
 * way a Socket.IO client does (`42` + JSON.parse) and feed the same recorder.
 *
 * IPC in:  SwarmCommand (see swarm-protocol.ts)
 * IPC out: { type: "ready" } after a connect, { type: "ended" } once every viewer saw chat:end,
 *          { type: "report", report: SwarmReport }, { type: "closed" }
 */
import { io, type Socket } from "socket.io-client";
import WebSocket from "ws";
import { openLightViewer } from "./light-viewer.ts";
import { createProbe } from "./node-probe.mjs";
import { Recorder } from "./recorder.ts";
import type { SwarmCommand, SwarmEvent } from "./swarm-protocol.ts";

const OPEN_BATCH = 50;
const OPEN_EVERY_MS = 10;

const probe = createProbe();
let recorder = new Recorder();
let closers: Array<() => void> = [];
let expected = 0;

function send(event: SwarmEvent): void {
  process.send?.(event);
}

function onEnd(): void {
  recorder.ends += 1;
  if (recorder.ends === expected) send({ type: "ended" });
}

/** The frame Socket.IO sent for an event: engine.io "4" (message) + socket.io "2" (event) + JSON. */
const frameOf = (event: string, payload: unknown) => `42${JSON.stringify([event, payload])}`;

/** A join not acknowledged within this long counts as refused (`no_ack`). */
const JOIN_TIMEOUT_MS = 30_000;

/** Join outcomes since the last close: "ok" or the refusal code. */
let joins = new Map<string, number>();

function countJoin(outcome: string): void {
  joins.set(outcome, (joins.get(outcome) ?? 0) + 1);
}

/** `forwardedFor`: the viewer's own client IP, sent as X-Forwarded-For (nodes with TRUST_PROXY=1). */
function openSio(
  url: string,
  roomId: string,
  index: number,
  ready: () => void,
  record: boolean,
  forwardedFor?: string,
): void {
  const extraHeaders = forwardedFor === undefined ? undefined : { "x-forwarded-for": forwardedFor };
  const socket: Socket = io(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    ...(extraHeaders ? { extraHeaders } : {}),
  });
  socket.on("connect", () => {
    socket
      .timeout(JOIN_TIMEOUT_MS)
      .emit(
        "room:join",
        { roomId, name: `bench-${process.pid}-${index}` },
        (err: Error | null, ack?: { ok: boolean; error?: { code?: string } }) => {
          const outcome = err ? "no_ack" : ack?.ok ? "ok" : (ack?.error?.code ?? "unreadable");
          countJoin(outcome);
          // A refused viewer will not see the answer end: the others are waited for.
          if (outcome !== "ok") expected -= 1;
          ready();
        },
      );
  });
  socket.on("connect_error", () => {
    countJoin("connect_error");
    expected -= 1;
    ready();
  });
  socket.on("chat:delta", (delta: { seq: number; text: string }) => {
    recorder.delta(delta.seq, delta.text);
    if (record) recorder.frames.push(frameOf("chat:delta", delta));
  });
  socket.on("chat:end", (end: unknown) => {
    if (record) recorder.frames.push(frameOf("chat:end", end));
    onEnd();
  });
  closers.push(() => socket.close());
}

/** A bare-ws viewer (light-viewer.ts): joins like openSio, and has its seqs checked. */
function openLight(
  url: string,
  roomId: string,
  index: number,
  ready: () => void,
  record: boolean,
  forwardedFor?: string,
): void {
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
  const close = openLightViewer(url, { roomId, name: `bench-${process.pid}-${index}` }, headers, {
    joined: (outcome) => {
      countJoin(outcome);
      if (outcome !== "ok") expected -= 1;
      ready();
    },
    delta: (seq, text, frame) => {
      recorder.delta(seq, text, roomId);
      if (record) recorder.frames.push(frame);
    },
    gap: () => (recorder.gaps += 1),
    end: (frame) => {
      if (record) recorder.frames.push(frame);
      onEnd();
    },
    lost: () => {
      countJoin("lost");
      expected -= 1;
      if (recorder.ends >= expected) send({ type: "ended" });
    },
  });
  closers.push(close);
}

function openWs(url: string, ready: () => void): void {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  let opened = false;
  socket.on("open", () => {
    opened = true;
    ready();
  });
  // A connection refused under a burst of connects (or reset) is counted, not fatal to the process.
  socket.on("error", () => {
    countJoin("connect_error");
    expected -= 1;
    if (!opened) ready();
  });
  socket.on("message", (data: Buffer) => {
    // What socket.io-client does with an event frame: engine.io type "4", socket.io type "2", JSON.
    const frame = data.toString();
    if (!frame.startsWith("42")) return;
    const [event, payload] = JSON.parse(frame.slice(2)) as [string, { seq: number; text: string }];
    if (event === "chat:delta") recorder.delta(payload.seq, payload.text);
    else if (event === "chat:end") onEnd();
  });
  closers.push(() => socket.close());
}

/** Opens `count` viewers in small batches so the server's accept queue is not what is measured. */
function openMany(count: number, open: (index: number, ready: () => void) => void): void {
  let next = 0;
  let readyCount = 0;
  const ready = () => {
    readyCount += 1;
    if (readyCount === count) send({ type: "ready" });
  };
  const opener = setInterval(() => {
    for (let i = 0; i < OPEN_BATCH && next < count; i++) open(next++, ready);
    if (next >= count) clearInterval(opener);
  }, OPEN_EVERY_MS);
}

/** Opens more viewers (after a close, the first connect starts a new recording). */
function connect(count: number, open: (index: number, ready: () => void) => void): void {
  if (closers.length === 0) {
    recorder = new Recorder();
    joins = new Map();
  }
  const first = closers.length;
  expected += count;
  openMany(count, (i, ready) => open(first + i, ready));
}

/** Viewer `index`'s own IP under `prefix` ("10.1" → 10.1.0.1, 10.1.0.2, …): no two viewers share a per-IP budget. */
function viewerIp(prefix: string | undefined, index: number): string | undefined {
  return prefix === undefined ? undefined : `${prefix}.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

process.on("message", (command: SwarmCommand) => {
  switch (command.type) {
    case "sio": {
      const open = command.light ? openLight : openSio;
      connect(command.count, (i, ready) =>
        open(command.url, command.roomId, i, ready, command.record === true && i === 0, viewerIp(command.ipPrefix, i)),
      );
      break;
    }
    case "ws":
      connect(command.count, (_i, ready) => openWs(command.url, ready));
      break;
    case "reset":
      recorder = new Recorder();
      probe.reset();
      break;
    case "report":
      send({ type: "report", report: { ...recorder.report(probe.snapshot()), joins: [...joins] } });
      break;
    case "close":
      for (const close of closers) close();
      closers = [];
      expected = 0;
      send({ type: "closed" });
      break;
    case "exit":
      for (const close of closers) close();
      process.exit(0);
  }
});

send({ type: "online" });
