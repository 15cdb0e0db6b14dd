/**
 * A join-storm load generator (forked by scenarios/join-storm.ts): bare engine.io/Socket.IO
 * viewers (one WebSocket each, no socket.io-client) that join at their scheduled times, time
 * their acks, and build the streaming answer exactly as a client must: the join snapshot's text,
 * then each delta in seq order (older seqs dropped), and a `chat:resume` for what they missed.
 * Presence frames are only counted, never parsed: what they cost is the node's side.
 */
import { createHash } from "node:crypto";
import WebSocket from "ws";
import type { StormCommand, StormEvent, StormReport } from "./storm-protocol.ts";

const ACK_TIMEOUT_MS = 60_000;
const TICK_MS = 5;
const NO_END = "(no end)";

interface Held {
  text: string;
  seq: number;
  /** A seq went missing: later deltas wait for the resume at the end. */
  gap: boolean;
}

interface Delta {
  messageId: string;
  seq: number;
  text: string;
}

const report: StormReport = {
  ackMs: [],
  slotToAckMs: [],
  outcomes: [],
  texts: [],
  resumes: 0,
  presenceFrames: 0,
  presenceBytes: 0,
  ackBytes: 0,
};
const outcomes = new Map<string, number>();
const texts = new Map<string, number>();
const sockets: WebSocket[] = [];
let pendingJoins = 0;

function send(event: StormEvent): void {
  process.send?.(event);
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

class StormViewer {
  private readonly ws: WebSocket;
  private readonly held = new Map<string, Held>();
  /** Deltas that came before the join ack (the viewer is in the room before its snapshot is read). */
  private early: Delta[] | undefined = [];
  private joinSentAt = 0;
  private settled = false;
  private finished = false;
  private readonly acks = new Map<number, (reply: Record<string, unknown>) => void>();
  private nextAck = 0;

  constructor(
    url: string,
    ip: string,
    private readonly roomId: string,
    private readonly answerId: string,
    private readonly name: string,
    private readonly slotAt: number,
  ) {
    const wsUrl = `${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;
    this.ws = new WebSocket(wsUrl, { headers: { "x-forwarded-for": ip }, perMessageDeflate: false });
    this.ws.on("message", (data: Buffer) => this.receive(data.toString()));
    this.ws.on("error", (error: NodeJS.ErrnoException) => this.settle(`connect_error ${error.code ?? error.message}`));
    this.ws.on("close", () => this.settle("closed"));
    sockets.push(this.ws);
  }

  private receive(frame: string): void {
    if (frame === "2") return this.ws.send("3");
    if (frame.startsWith("0")) return this.ws.send("40");
    if (frame.startsWith("40")) return this.join();
    if (frame.startsWith("43")) return this.onAck(frame);
    if (frame.startsWith('42["room:presence"')) {
      report.presenceFrames += 1;
      report.presenceBytes += frame.length;
    } else if (frame.startsWith('42["chat:delta"')) this.onDelta(JSON.parse(frame.slice(2))[1] as Delta);
    else if (frame.startsWith('42["chat:end"')) void this.onEnd(JSON.parse(frame.slice(2))[1] as Delta);
  }

  private request(event: string, payload: unknown): Promise<Record<string, unknown>> {
    const id = this.nextAck++;
    this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    return new Promise((resolve) => this.acks.set(id, resolve));
  }

  private onAck(frame: string): void {
    const match = /^43(\d+)/.exec(frame)!;
    const reply = (JSON.parse(frame.slice(match[0].length)) as unknown[])[0] as Record<string, unknown>;
    if (match[1] === "0") report.ackBytes += frame.length;
    this.acks.get(Number(match[1]))?.(reply);
  }

  private join(): void {
    const timer = setTimeout(() => this.settle("no_ack"), ACK_TIMEOUT_MS);
    this.joinSentAt = performance.now();
    void this.request("room:join", { roomId: this.roomId, name: this.name }).then((ack) => {
      clearTimeout(timer);
      const now = performance.now();
      if (ack.ok !== true) return this.settle(String((ack.error as { code?: string })?.code ?? "unreadable"));
      report.ackMs.push(now - this.joinSentAt);
      report.slotToAckMs.push(now - this.slotAt);
      for (const m of ack.messages as Array<{ id: string; text: string; seq: number; status: string }>) {
        this.held.set(m.id, { text: m.text, seq: m.seq, gap: false });
        // Joined after the end: the snapshot is the whole answer.
        if (m.id === this.answerId && m.status !== "streaming" && m.status !== "pending") this.finish(digest(m.text));
      }
      for (const delta of this.early ?? []) this.apply(delta);
      this.early = undefined;
      this.settle("ok");
    });
  }

  private settle(outcome: string): void {
    if (this.settled) return;
    this.settled = true;
    count(outcomes, outcome);
    if (outcome !== "ok") this.finish(NO_END);
    if (--pendingJoins === 0) send({ type: "settled" });
  }

  private onDelta(delta: Delta): void {
    if (this.early) this.early.push(delta);
    else this.apply(delta);
  }

  private apply(delta: Delta): void {
    const held = this.held.get(delta.messageId);
    if (!held || held.gap || delta.seq <= held.seq) return;
    if (delta.seq !== held.seq + 1) {
      held.gap = true;
      return;
    }
    held.text += delta.text;
    held.seq = delta.seq;
  }

  private async onEnd(end: Delta): Promise<void> {
    if (end.messageId !== this.answerId) return;
    while (this.early) await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    const held = this.held.get(end.messageId);
    if (!held) return this.finish(NO_END);
    if (held.seq < end.seq) await this.resume(end.messageId, held);
    this.finish(digest(held.text));
  }

  private async resume(messageId: string, held: Held): Promise<void> {
    report.resumes += 1;
    const reply = await this.request("chat:resume", { roomId: this.roomId, messageId, afterSeq: held.seq });
    held.gap = false;
    for (const delta of (reply.deltas as Delta[] | undefined) ?? []) this.apply({ ...delta, messageId });
  }

  private finish(digest: string): void {
    if (this.finished) return;
    this.finished = true;
    count(texts, digest);
  }
}

function digest(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

function storm(command: Extract<StormCommand, { type: "storm" }>): void {
  pendingJoins = command.slots.length;
  let next = 0;
  const opener = setInterval(() => {
    const now = Date.now();
    while (next < command.slots.length && command.startAt + command.slots[next]! <= now) {
      const slotAt = performance.now() - (now - command.startAt - command.slots[next]!);
      const ip = `${command.ipPrefix}.${Math.floor(next / 250)}.${(next % 250) + 1}`;
      const name = `storm-${process.pid}-${next}`;
      new StormViewer(command.url, ip, command.roomId, command.answerId, name, slotAt);
      next += 1;
    }
    if (next >= command.slots.length) clearInterval(opener);
  }, TICK_MS);
}

process.on("message", (command: StormCommand) => {
  if (command.type === "storm") storm(command);
  else if (command.type === "report")
    send({ type: "report", report: { ...report, outcomes: [...outcomes], texts: [...texts] } });
  else {
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});

send({ type: "online" });
