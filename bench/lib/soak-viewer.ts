/**
 * One soak viewer: joins a room through a random node, rebuilds each answer from the join
 * snapshot, live deltas and `chat:resume`, and checks every finished answer against its expected
 * text. It keeps the client's rules (packages/client/src/lib/message-log.ts) in their simplest
 * form: per message, seq starts at 1 and grows by 1 per delta; a seq already held is a duplicate
 * (dropped and counted); a seq ahead leaves a gap that a resume must fill.
 */
import type { DeltaEvent, EndEvent, JoinResult, Message, ResumeResult } from "@tokencast/protocol";
import { isFinalStatus } from "@tokencast/protocol";
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
  /** Answers that ended other than `done` (interrupted, stopped, error) with a text that is an exact prefix of the expected one. */
  endedEarly: number;
  /** Deltas received live / through resumes. */
  deltas: number;
  resumedDeltas: number;
  /** Deltas whose seq was already held, dropped. */
  duplicatesDropped: number;
  /** Gaps seen, resumes made, resumes that could not fill a gap. */
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
    checked: 0, verified: 0, endedEarly: 0, lost: 0, duplicatedApplied: 0, deltas: 0, resumedDeltas: 0, duplicatesDropped: 0,
    gaps: 0, resumes: 0, unfilledGaps: 0, snapshotConflicts: 0, joins: 0, reconnects: 0, errors: 0, unfinished: 0, examples: [],
  };
}

interface Answer {
  text: string;
  seq: number;
  /** Deltas ahead of seq + 1, by seq. */
  ahead: Map<number, string>;
  end?: EndEvent;
  resuming: boolean;
  /** Seqs of the join snapshots this answer's text was taken from (for diagnosis). */
  snapshots: number[];
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

export class SoakViewer {
  private socket: Socket | undefined;
  private readonly answers = new Map<string, Answer>();
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
    return this.answers.size;
  }

  connect(): void {
    const socket = io(pick(this.urls), { transports: ["websocket"], forceNew: true, reconnection: false });
    this.socket = socket;
    socket.on("connect", () => this.join(socket));
    socket.on("chat:message", (message: Message) => this.onMessage(message));
    socket.on("chat:delta", (delta: DeltaEvent) => this.onDelta(delta));
    socket.on("chat:end", (end: EndEvent) => this.onEnd(end));
    socket.on("room:resync", () => this.join(socket));
    socket.on("connect_error", () => this.retry(socket));
    socket.on("disconnect", (reason) => {
      this.online = false;
      if (reason !== "io client disconnect") this.retry(socket);
    });
  }

  /** Drops the connection (as a closed laptop lid would) and comes back through a random node. */
  bounce(afterMs: number): void {
    this.socket?.disconnect();
    this.online = false;
    this.counts.reconnects += 1;
    setTimeout(() => this.connect(), afterMs);
  }

  close(): void {
    this.socket?.disconnect();
    this.online = false;
  }

  /** Counts what is still incomplete (at the end of a run). */
  finish(): void {
    this.counts.unfinished += this.answers.size;
  }

  private retry(socket: Socket): void {
    if (socket !== this.socket) return;
    this.counts.errors += 1;
    socket.removeAllListeners();
    socket.disconnect();
    setTimeout(() => this.connect(), 500 + Math.random() * 1000);
  }

  private join(socket: Socket): void {
    socket.emit("room:join", { roomId: this.roomId, name: this.name, role: "viewer" }, (ack: { ok: boolean } & Partial<JoinResult>) => {
      if (socket !== this.socket) return;
      if (!ack.ok || !ack.messages) {
        this.counts.examples.push(`join refused: ${JSON.stringify(ack).slice(0, 200)}`);
        this.retry(socket);
        return;
      }
      this.counts.joins += 1;
      this.online = true;
      this.applySnapshot(ack.messages);
    });
  }

  private applySnapshot(messages: Message[]): void {
    for (const message of messages) {
      if (message.role !== "assistant" || this.done.has(message.id)) continue;
      if (this.firstJoin && isFinalStatus(message.status)) {
        this.done.add(message.id);
        continue;
      }
      const answer = this.answerOf(message.id);
      if (message.seq > answer.seq) {
        if (!message.text.startsWith(answer.text)) this.conflict(message, answer);
        answer.text = message.text;
        answer.seq = message.seq;
        answer.snapshots.push(message.seq);
      }
      this.drain(answer);
      if (isFinalStatus(message.status)) answer.end ??= { roomId: this.roomId, messageId: message.id, seq: message.seq, status: message.status };
      this.settle(message.id, answer);
    }
    this.firstJoin = false;
  }

  private conflict(message: Message, answer: Answer): void {
    this.counts.snapshotConflicts += 1;
    this.example(`snapshot seq ${message.seq} of ${message.id} does not extend local seq ${answer.seq}`);
  }

  private onMessage(message: Message): void {
    if (message.role !== "assistant" || this.done.has(message.id)) return;
    this.answerOf(message.id);
  }

  private onDelta(delta: DeltaEvent): void {
    this.counts.deltas += 1;
    if (this.done.has(delta.messageId)) {
      this.counts.duplicatesDropped += 1;
      return;
    }
    const answer = this.answerOf(delta.messageId);
    this.take(answer, delta.seq, delta.text);
    this.settle(delta.messageId, answer);
  }

  private onEnd(end: EndEvent): void {
    if (this.done.has(end.messageId)) return;
    const answer = this.answerOf(end.messageId);
    answer.end = end;
    this.settle(end.messageId, answer);
  }

  private answerOf(id: string): Answer {
    let answer = this.answers.get(id);
    if (!answer) {
      answer = { text: "", seq: 0, ahead: new Map(), resuming: false, snapshots: [] };
      this.answers.set(id, answer);
    }
    return answer;
  }

  /** Applies one delta: in order, early (held) or already held (dropped). */
  private take(answer: Answer, seq: number, text: string): void {
    if (seq <= answer.seq || answer.ahead.has(seq)) {
      this.counts.duplicatesDropped += 1;
      return;
    }
    if (seq > answer.seq + 1) {
      if (answer.ahead.size === 0) this.counts.gaps += 1;
      answer.ahead.set(seq, text);
      return;
    }
    answer.text += text;
    answer.seq = seq;
    this.drain(answer);
  }

  /** Drops held deltas the answer already has (a snapshot may bring them) and applies those now in order. */
  private drain(answer: Answer): void {
    for (const seq of answer.ahead.keys()) if (seq <= answer.seq) answer.ahead.delete(seq);
    for (let next = answer.ahead.get(answer.seq + 1); next !== undefined; next = answer.ahead.get(answer.seq + 1)) {
      answer.ahead.delete(answer.seq + 1);
      answer.text += next;
      answer.seq += 1;
    }
  }

  /** Finishes an answer whose end and deltas are all here, or resumes what is missing. */
  private settle(id: string, answer: Answer): void {
    if (answer.end && answer.seq >= answer.end.seq) {
      this.check(id, answer);
      return;
    }
    const missing = answer.ahead.size > 0 || (answer.end !== undefined && answer.seq < answer.end.seq);
    if (missing && this.online && !answer.resuming) this.resume(id, answer);
  }

  private resume(id: string, answer: Answer): void {
    const socket = this.socket!;
    answer.resuming = true;
    this.counts.resumes += 1;
    const from = answer.seq;
    socket.emit("chat:resume", { roomId: this.roomId, messageId: id, afterSeq: from }, (ack: { ok: boolean } & Partial<ResumeResult>) => {
      answer.resuming = false;
      if (socket !== this.socket || !this.answers.has(id)) return;
      if (!ack.ok || !ack.deltas) {
        this.counts.unfilledGaps += 1;
        this.example(`resume of ${id} after ${from} refused: ${JSON.stringify(ack).slice(0, 200)}`);
        return;
      }
      this.counts.resumedDeltas += ack.deltas.length;
      for (const delta of ack.deltas) this.take(answer, delta.seq, delta.text);
      if (answer.seq === from && answer.ahead.size > 0) {
        this.counts.unfilledGaps += 1;
        this.example(`resume of ${id} after ${from} brought no seq ${from + 1}`);
        // What the client does when the server's log cannot fill a gap: join again for a snapshot.
        this.join(socket);
        return;
      }
      this.settle(id, answer);
    });
  }

  private check(id: string, answer: Answer): void {
    this.answers.delete(id);
    this.done.add(id);
    this.counts.checked += 1;
    const expected = expectedText(answer.text);
    if (answer.end?.status === "done" && answer.text === expected) {
      this.counts.verified += 1;
      return;
    }
    if (answer.end?.status !== "done" && (answer.text === "" || expected?.startsWith(answer.text))) {
      this.counts.endedEarly += 1;
      return;
    }
    if (expected !== undefined && answer.text.length > expected.length) this.counts.duplicatedApplied += 1;
    else this.counts.lost += 1;
    const at = [...answer.text].findIndex((c, i) => c !== expected?.[i]);
    this.example(
      `answer ${id} (${answer.end?.status}, seq ${answer.seq}, end seq ${answer.end?.seq}, snapshots at seq ${answer.snapshots.join(",") || "none"}): ` +
        `${answer.text.length} chars, expected ${expected?.length ?? "no header"}; first difference at ${at}: got "${answer.text.slice(at, at + 40)}", expected "${expected?.slice(at, at + 40)}"`,
    );
  }

  private example(text: string): void {
    if (this.counts.examples.length < 20) this.counts.examples.push(text);
  }
}
