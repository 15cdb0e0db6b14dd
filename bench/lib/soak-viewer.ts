/**
 * One soak viewer: joins a room through a random node, follows it with the SDK's RoomLog (the
 * delivery rule every client uses: snapshot, live deltas, `chat:resume`, end merge), and checks
 * every answer that becomes final against its expected text. What it adds to the log is the
 * socket around it and the counting.
 */
import type { DeltaEvent, EndEvent, JoinResult, Message, ResumeResult } from "@tokencast/protocol";
import { isFinalStatus } from "@tokencast/protocol";
import { RoomLog, type LogAction, type LogChange, type LogStats } from "@tokencast/sdk/log";
import { io, type Socket } from "socket.io-client";
import { expectedText } from "./soak-text.ts";

export interface ViewerCounts {
  /** Answers whose final text this viewer checked, and those that matched. */
  checked: number;
  verified: number;
  /** Final text shorter than expected or not a prefix of it: something lost. */
  lost: number;
  /** Final text longer than expected: something applied twice. */
  duplicatedApplied: number;
  /**
   * Answers that ended other than `done` (interrupted, stopped, error) with a text that is an
   * exact prefix of the expected one.
   */
  endedEarly: number;
  /** Deltas received live / through resumes. */
  deltas: number;
  resumedDeltas: number;
  /** Deltas whose seq was already held, dropped (RoomLog's count). */
  duplicatesDropped: number;
  /** Gaps seen and resumes made (RoomLog's counts); resumes refused or that could not fill a gap. */
  gaps: number;
  resumes: number;
  unfilledGaps: number;
  /** A join snapshot whose text contradicts what the viewer had already built. */
  snapshotConflicts: number;
  joins: number;
  reconnects: number;
  errors: number;
  /** Answers still incomplete when the report was made. */
  unfinished: number;
  examples: string[];
}

export function emptyCounts(): ViewerCounts {
  return {
    checked: 0,
    verified: 0,
    endedEarly: 0,
    lost: 0,
    duplicatedApplied: 0,
    deltas: 0,
    resumedDeltas: 0,
    duplicatesDropped: 0,
    gaps: 0,
    resumes: 0,
    unfilledGaps: 0,
    snapshotConflicts: 0,
    joins: 0,
    reconnects: 0,
    errors: 0,
    unfinished: 0,
    examples: [],
  };
}

/** How long a viewer waits for a `chat:end` the server's log says is due before joining again. */
const END_DUE_MS = 3_000;
const RESUME_RETRY_MS = 500;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

type Resume = Extract<LogAction, { type: "resume" }>;

const isFinalAnswer = (m: Message) => m.role === "assistant" && isFinalStatus(m.status);

export class SoakViewer {
  private socket: Socket | undefined;
  private readonly stats: LogStats = { deltasApplied: 0, duplicatesIgnored: 0, gapsDetected: 0, resumes: 0 };
  private readonly log = new RoomLog({ stats: this.stats, onChange: (change) => this.onChange(change) });
  /** Answers already checked (or finished before this viewer first joined). */
  private readonly done = new Set<string>();
  private firstJoin = true;
  online = false;

  constructor(
    private readonly urls: readonly string[],
    private readonly roomId: string,
    private readonly name: string,
    readonly counts: ViewerCounts,
  ) {}

  /** Answers still being built. */
  get pending(): number {
    return this.log.list().filter((m) => m.role === "assistant" && !isFinalStatus(m.status)).length;
  }

  connect(): void {
    const socket = io(pick(this.urls), { transports: ["websocket"], forceNew: true, reconnection: false });
    this.socket = socket;
    socket.on("connect", () => this.join(socket));
    socket.on("chat:message", (message: Message) => this.run(socket, this.log.applyMessage(message)));
    socket.on("chat:delta", (delta: DeltaEvent) => {
      this.counts.deltas += 1;
      this.run(socket, this.log.applyDelta(delta));
    });
    socket.on("chat:end", (end: EndEvent) => this.run(socket, this.log.applyEnd(end)));
    socket.on("room:resync", () => this.join(socket));
    socket.on("connect_error", () => this.retry(socket));
    socket.on("disconnect", (reason) => {
      this.goOffline();
      if (reason !== "io client disconnect") this.retry(socket);
    });
  }

  /** Drops the connection (as a closed laptop lid would) and comes back through a random node. */
  bounce(afterMs: number): void {
    this.socket?.disconnect();
    this.goOffline();
    this.counts.reconnects += 1;
    setTimeout(() => this.connect(), afterMs);
  }

  close(): void {
    this.socket?.disconnect();
    this.goOffline();
  }

  /** Adds what is still incomplete, and the log's counts, to the counts (at the end of a run). */
  finish(): void {
    this.counts.unfinished += this.pending;
    this.counts.duplicatesDropped += this.stats.duplicatesIgnored;
    this.counts.gaps += this.stats.gapsDetected;
    this.counts.resumes += this.stats.resumes;
  }

  private goOffline(): void {
    this.online = false;
    this.log.goOffline();
  }

  private retry(socket: Socket): void {
    if (socket !== this.socket) return;
    this.counts.errors += 1;
    socket.removeAllListeners();
    socket.disconnect();
    setTimeout(() => this.connect(), 500 + Math.random() * 1000);
  }

  private join(socket: Socket): void {
    this.log.beginJoin();
    const request = { roomId: this.roomId, name: this.name, role: "viewer" };
    socket.emit("room:join", request, (ack: { ok: boolean } & Partial<JoinResult>) => {
      if (socket !== this.socket) return;
      if (!ack.ok || !ack.messages) {
        this.counts.examples.push(`join refused: ${JSON.stringify(ack).slice(0, 200)}`);
        this.retry(socket);
        return;
      }
      this.counts.joins += 1;
      this.online = true;
      this.applySnapshot(socket, ack.messages);
    });
  }

  private applySnapshot(socket: Socket, messages: Message[]): void {
    for (const message of messages) this.checkAgainstHeld(message);
    // Answers that ended before this viewer came are not its to check.
    if (this.firstJoin) for (const m of messages) if (isFinalAnswer(m)) this.done.add(m.id);
    this.firstJoin = false;
    this.run(socket, this.log.applySnapshot(messages));
  }

  /** A snapshot's text must extend what the viewer built of that answer (the server's side of the rule). */
  private checkAgainstHeld(message: Message): void {
    const held = this.log.get(message.id);
    if (!held || message.seq <= held.seq || message.text.startsWith(held.text)) return;
    this.counts.snapshotConflicts += 1;
    this.example(`snapshot seq ${message.seq} of ${message.id} does not extend local seq ${held.seq}`);
  }

  /** Carries out what the log asks for, on the connection it was asked on. */
  private run(socket: Socket, actions: LogAction[]): void {
    for (const action of actions) {
      if (action.type === "resume") this.resume(socket, action);
      if (action.type === "resync") this.unfillable(socket, action.messageId);
      if (action.type === "expect-end") this.expectEnd(socket, action.messageId);
    }
  }

  private resume(socket: Socket, { messageId, afterSeq, requestId }: Resume): void {
    const request = { roomId: this.roomId, messageId, afterSeq };
    socket.emit("chat:resume", request, (ack: { ok: boolean } & Partial<ResumeResult>) => {
      if (socket !== this.socket) return;
      if (!ack.ok || !ack.deltas || !ack.status) return this.resumeRefused(socket, messageId, requestId, ack);
      this.counts.resumedDeltas += ack.deltas.length;
      this.run(socket, this.log.applyResume(requestId, messageId, { deltas: ack.deltas, status: ack.status }));
    });
  }

  private resumeRefused(socket: Socket, messageId: string, requestId: number, ack: unknown): void {
    this.counts.unfilledGaps += 1;
    this.example(`resume of ${messageId} refused: ${JSON.stringify(ack).slice(0, 200)}`);
    if (!this.log.resumeFailed(requestId, messageId)) return;
    setTimeout(() => socket === this.socket && this.run(socket, this.log.retry(messageId)), RESUME_RETRY_MS);
  }

  /** The server's log cannot fill a gap: what the client does, join again for a snapshot. */
  private unfillable(socket: Socket, messageId: string): void {
    this.counts.unfilledGaps += 1;
    this.example(`resume of ${messageId} could not fill its gap`);
    this.join(socket);
  }

  /** The log says the answer is over but its `chat:end` has not come: if it does not come soon, join again. */
  private expectEnd(socket: Socket, messageId: string): void {
    setTimeout(() => {
      const message = this.log.get(messageId);
      if (socket === this.socket && message && !isFinalStatus(message.status)) this.join(socket);
    }, END_DUE_MS);
  }

  /** Checks each answer once, when it becomes final (by its end, or whole from a snapshot). */
  private onChange(change: LogChange): void {
    const message = change.type === "end" || change.type === "message" ? change.message : undefined;
    if (!message || !isFinalAnswer(message) || this.done.has(message.id)) return;
    this.done.add(message.id);
    this.check(message);
  }

  private check(answer: Message): void {
    this.counts.checked += 1;
    const expected = expectedText(answer.text);
    if (answer.status === "done" && answer.text === expected) {
      this.counts.verified += 1;
      return;
    }
    if (answer.status !== "done" && (answer.text === "" || expected?.startsWith(answer.text))) {
      this.counts.endedEarly += 1;
      return;
    }
    if (expected !== undefined && answer.text.length > expected.length) this.counts.duplicatedApplied += 1;
    else this.counts.lost += 1;
    const at = [...answer.text].findIndex((c, i) => c !== expected?.[i]);
    this.example(
      `answer ${answer.id} (${answer.status}, seq ${answer.seq}): ${answer.text.length} chars, ` +
        `expected ${expected?.length ?? "no header"}; first difference at ${at}: ` +
        `got "${answer.text.slice(at, at + 40)}", expected "${expected?.slice(at, at + 40)}"`,
    );
  }

  private example(text: string): void {
    if (this.counts.examples.length < 20) this.counts.examples.push(text);
  }
}
