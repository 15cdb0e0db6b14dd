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
import { openLightViewer, type ViewerHooks } from "./light-viewer.ts";
import { createProbe } from "./node-probe.mjs";
import { Recorder } from "./recorder.ts";
import type { SwarmCommand, SwarmEvent } from "./swarm-protocol.ts";

/**
 * Viewers of one process connecting (and joining) at a time: the next opens when one is in or has
 * failed, so connects go as fast as the server accepts them. (Opening on a timer, 5,000 a second per
 * process, overflowed the accept queue of a busy relay or node: dropped handshakes hung for minutes
 * of TCP retransmits.) 4 processes × 64 stay below Node's default accept queue of 511.
 */
const OPEN_IN_FLIGHT = 64;
/** A connect that neither opens nor fails within this long fails (and is tried again). */
const HANDSHAKE_TIMEOUT_MS = 20_000;
/** Tries per connect before the viewer counts as `connect_error`: a real client retries a reset connect too. */
const CONNECT_TRIES = 3;
const RETRY_AFTER_MS = 250;

const probe = createProbe();
let recorder = new Recorder();
let closers: Array<() => void> = [];
let expected = 0;

function send(event: SwarmEvent): void {
  process.send?.(event);
}

function onEnd(): void {
  recorder.ends += 1;
  signalIfEnded();
}

/** Whether "ended" was sent for the current recording (one answer per recording). */
let endedSent = false;

/**
 * Tells the driver, once per recording, that every viewer still in has seen the answer end. (Sent
 * again when a viewer dropped after the end, a stale "ended" made the next answer look over at once.)
 */
function signalIfEnded(): void {
  if (endedSent || recorder.ends === 0 || recorder.ends < expected) return;
  endedSent = true;
  send({ type: "ended" });
}

function newRecording(): void {
  recorder = new Recorder();
  endedSent = false;
}

/** The frame Socket.IO sent for an event: engine.io "4" (message) + socket.io "2" (event) + JSON. */
const frameOf = (event: string, payload: unknown) => `42${JSON.stringify([event, payload])}`;

/** A join not acknowledged within this long counts as refused (`no_ack`). */
const JOIN_TIMEOUT_MS = 30_000;

/** Join outcomes since the last close: "ok" or the refusal code. */
let joins = new Map<string, number>();
/** Connects tried again since the last close (each viewer up to CONNECT_TRIES - 1 times). */
let retries = 0;

function countJoin(outcome: string): void {
  joins.set(outcome, (joins.get(outcome) ?? 0) + 1);
}

/** One viewer to open, and whom to tell once it is in (or refused). */
interface ViewerSpec {
  url: string;
  roomId: string;
  index: number;
  ready: () => void;
  /** Keep the frames it receives (one viewer per recording). */
  record: boolean;
  /** The viewer's own client IP, sent as X-Forwarded-For (nodes with TRUST_PROXY=1). */
  forwardedFor?: string | undefined;
}

function openSio({ url, roomId, index, ready, record, forwardedFor }: ViewerSpec): void {
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
function openLight({ url, roomId, index, ready, record, forwardedFor }: ViewerSpec): void {
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
  let triesLeft = CONNECT_TRIES;
  const join = { roomId, name: `bench-${process.pid}-${index}` };
  let close = () => {};
  let closedHere = false;
  const attempt = () => {
    if (!closedHere) close = openLightViewer(url, join, headers, HANDSHAKE_TIMEOUT_MS, hooks);
  };
  const hooks: ViewerHooks = {
    joined: (outcome) => {
      if (closedHere) return; // closed while connecting: the recording is over
      if (unconnected(outcome) && --triesLeft > 0) {
        retries += 1;
        setTimeout(attempt, RETRY_AFTER_MS);
        return;
      }
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
    lost: loseViewer,
  };
  attempt();
  closers.push(() => {
    closedHere = true;
    close();
  });
}

/** A viewer whose connection failed before it could join (not one the server refused). */
const unconnected = (outcome: string) => outcome === "connect_error" || outcome === "closed";

/** A viewer's connection dropped after it was in: it sees no more answers, and is not waited for. */
function loseViewer(): void {
  countJoin("lost");
  expected -= 1;
  signalIfEnded();
}

/** A raw ws client of the relay: connects like a light viewer (tried again when reset), then only reads. */
function openWs(url: string, ready: () => void): void {
  let triesLeft = CONNECT_TRIES;
  let socket: WebSocket;
  let closedHere = false;
  const attempt = () => {
    if (closedHere) return;
    socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    let opened = false;
    socket.on("open", () => {
      opened = true;
      ready();
    });
    socket.on("error", () => undefined); // "close" follows, and says what happened
    socket.on("close", () => {
      if (closedHere) return;
      if (opened) loseViewer();
      else if (--triesLeft > 0) {
        retries += 1;
        setTimeout(attempt, RETRY_AFTER_MS);
      } else {
        countJoin("connect_error");
        expected -= 1;
        ready();
      }
    });
    socket.on("message", onRelayFrame);
  };
  attempt();
  closers.push(() => {
    closedHere = true;
    socket.close();
  });
}

/** What socket.io-client does with an event frame: engine.io type "4", socket.io type "2", JSON. */
function onRelayFrame(data: Buffer): void {
  const frame = data.toString();
  if (!frame.startsWith("42")) return;
  const [event, payload] = JSON.parse(frame.slice(2)) as [string, { seq: number; text: string }];
  if (event === "chat:delta") recorder.delta(payload.seq, payload.text);
  else if (event === "chat:end") onEnd();
}

/** Opens waiting for one of the OPEN_IN_FLIGHT slots (of this process, whatever the command), first in first out. */
const waiting: Array<() => void> = [];
let nextWaiting = 0;
let inFlight = 0;
/** Counts "close" commands: viewers opened before the last one no longer hold slots. */
let openings = 0;

function openWaiting(): void {
  while (inFlight < OPEN_IN_FLIGHT && nextWaiting < waiting.length) {
    inFlight += 1;
    waiting[nextWaiting++]!();
  }
  if (nextWaiting === waiting.length) waiting.length = nextWaiting = 0;
}

/**
 * Opens `count` viewers, at most OPEN_IN_FLIGHT of this process at a time, so that the server's
 * accept queue is not what is measured.
 */
function openMany(count: number, open: (index: number, ready: () => void) => void): void {
  let readyCount = 0;
  const mine = openings;
  const ready = () => {
    if (mine !== openings) return;
    inFlight -= 1;
    readyCount += 1;
    if (readyCount === count) send({ type: "ready" });
    openWaiting();
  };
  for (let i = 0; i < count; i++) waiting.push(() => open(i, ready));
  openWaiting();
}

/** Opens more viewers (after a close, the first connect starts a new recording). */
function connect(count: number, open: (index: number, ready: () => void) => void): void {
  if (closers.length === 0) {
    newRecording();
    joins = new Map();
    retries = 0;
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
      const { url, roomId } = command;
      connect(command.count, (index, ready) => {
        const forwardedFor = viewerIp(command.ipPrefix, index);
        open({ url, roomId, index, ready, record: command.record === true && index === 0, forwardedFor });
      });
      break;
    }
    case "ws":
      connect(command.count, (_i, ready) => openWs(command.url, ready));
      break;
    case "reset":
      newRecording();
      probe.reset();
      break;
    case "report":
      send({ type: "report", report: { ...recorder.report(probe.snapshot()), joins: [...joins], retries } });
      break;
    case "close":
      for (const close of closers) close();
      openings += 1;
      waiting.length = nextWaiting = inFlight = 0;
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
