/**
 * The bookkeeping of one SSE viewer, free of HTTP and sockets: it turns a room's join snapshot
 * and its live events into SSE events so that the text a consumer builds (a `message` event sets
 * a message, each `delta` appends) equals the final text, with no duplicate and no gap — whatever
 * order, duplication or loss the live events arrive with, and across reconnects (Last-Event-ID).
 *
 * Inputs are handled one at a time, in arrival order; live events pushed before `start` wait
 * for the snapshot and are then merged with it (seqs it already covers are dropped).
 */
import { isFinalStatus } from "@tokencast/protocol";
import type {
  DeltaEvent,
  EndEvent,
  Message,
  PresenceEvent,
  QueueUpdatedEvent,
  ReasoningEvent,
  ResumeResult,
  RoomUpdatedEvent,
} from "@tokencast/protocol";
import { parsePosition, positionId, type StreamPosition } from "./sse-event-id.ts";
import type { SseEvent } from "./sse-writer.ts";

export type LiveEvent =
  | { type: "message"; message: Message }
  | { type: "delta"; delta: DeltaEvent }
  | { type: "end"; end: EndEvent }
  | { type: "reasoning"; reasoning: ReasoningEvent }
  | { type: "presence"; presence: PresenceEvent }
  | { type: "room"; room: RoomUpdatedEvent }
  | { type: "queue"; queue: QueueUpdatedEvent }
  /** The server may have missed events: take a fresh snapshot. */
  | { type: "resync" };

export interface RoomStreamDeps {
  send(event: SseEvent): void;
  comment(text: string): void;
  /** `chat:resume`: the logged deltas after `afterSeq`. Throws when refused or unanswered. */
  resume(messageId: string, afterSeq: number): Promise<ResumeResult>;
  /** `room:join` again: a fresh snapshot of the room's messages, oldest first. Throws when refused. */
  snapshot(): Promise<Message[]>;
  /** Resolves once the consumer can take more (what it has not read yet is under a bound). */
  drained(): Promise<void>;
  /** The stream cannot go on (a snapshot or resume failed, the consumer is too slow): end it; the consumer reconnects. */
  fail(error: unknown): void;
  /** Live events waiting for a consumer that does not keep up, in bytes; past this it is cut off. */
  maxPendingBytes: number;
}

/** The consumer reads slower than the room produces: it is cut off and resumes from the log. */
export class SlowConsumerError extends Error {
  override name = "SlowConsumerError";
}

/** What has been sent of a message. */
interface Track {
  /** The consumer's text of it covers deltas 1..seq. */
  seq: number;
  /** Its end (or the final message) was sent: nothing more goes out for it. */
  final: boolean;
  /** The message as last sent, without its text: tells a changed re-send from a duplicate. */
  signature?: string;
}

interface Initial {
  messages: Message[];
  lastEventId: string | undefined;
}

/** Tracks kept for messages that are over; the oldest are forgotten past this (a long-lived stream). */
const MAX_FINAL_TRACKS = 5000;

export class RoomStream {
  private readonly tracks = new Map<string, Track>();
  private finalCount = 0;
  private tail: Promise<void>;
  /** Approximate bytes of the live events pushed and not handled yet. */
  private pendingBytes = 0;
  /** Sending waits for the consumer to read what it was sent (it is behind). */
  private waitingForConsumer = false;
  private begin!: (initial: Initial) => void;
  private stopped = false;

  constructor(private readonly deps: RoomStreamDeps) {
    const initial = new Promise<Initial>((resolve) => (this.begin = resolve));
    this.tail = this.guard(initial.then((init) => this.applyInitial(init)));
  }

  /** The join snapshot (oldest first), and where the consumer's previous stream stopped, if anywhere. */
  start(messages: Message[], lastEventId: string | undefined): void {
    this.begin({ messages, lastEventId });
  }

  push(event: LiveEvent): void {
    if (this.stopped) return;
    const bytes = approximateBytes(event);
    this.pendingBytes += bytes;
    // A burst handled at once is fine; events piling up while the consumer is behind are not.
    if (this.waitingForConsumer && this.pendingBytes > this.deps.maxPendingBytes) {
      this.stopped = true;
      return this.deps.fail(new SlowConsumerError(`more than ${this.deps.maxPendingBytes} bytes of events waiting for the consumer`));
    }
    this.tail = this.guard(this.tail.then(() => this.handleInTurn(event, bytes)));
  }

  /** Nothing more is handled or sent. */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once every input so far has been handled. */
  idle(): Promise<void> {
    return this.tail;
  }

  private guard(step: Promise<void>): Promise<void> {
    return step.catch((error: unknown) => {
      if (this.stopped) return;
      this.stopped = true;
      this.deps.fail(error);
    });
  }

  /** Waits for the consumer to take what was sent before, so that a burst never piles up unread. */
  private async handleInTurn(event: LiveEvent, bytes: number): Promise<void> {
    this.pendingBytes -= bytes;
    if (this.stopped) return;
    await this.handle(event);
    await this.drained();
  }

  private async drained(): Promise<void> {
    this.waitingForConsumer = true;
    try {
      await this.deps.drained();
    } finally {
      this.waitingForConsumer = false;
    }
  }

  private async applyInitial({ messages, lastEventId }: Initial): Promise<void> {
    if (lastEventId !== undefined && !this.seed(messages, parsePosition(lastEventId))) {
      this.deps.comment(`Last-Event-ID ${lastEventId} is not in this room's history (trimmed or expired): sending all of it`);
    }
    await this.applySnapshot(messages);
  }

  /**
   * Marks what a consumer resuming at `position` already has: every message up to it as in the
   * snapshot (one answer streams at a time, so those before it are complete), and that message
   * through the given seq. Returns false when the message is not in the snapshot.
   */
  private seed(messages: Message[], position: StreamPosition | undefined): boolean {
    const index = position ? messages.findIndex((m) => m.id === position.messageId) : -1;
    if (!position || index < 0) return false;
    for (const message of messages.slice(0, index)) this.track(message, message.seq, isFinalStatus(message.status));
    const message = messages[index]!;
    if ("end" in position) this.track(message, message.seq, isFinalStatus(message.status));
    else this.track(message, position.seq, false);
    return true;
  }

  private async handle(event: LiveEvent): Promise<void> {
    switch (event.type) {
      case "message":
        return this.onMessage(event.message);
      case "delta":
        return this.onDelta(event.delta);
      case "end":
        return this.onEnd(event.end);
      case "reasoning":
        return this.onReasoning(event.reasoning);
      case "presence":
        return this.deps.send({ event: "presence", data: event.presence });
      case "room":
        return this.deps.send({ event: "room", data: event.room });
      case "queue":
        return this.deps.send({ event: "queue", data: event.queue });
      case "resync":
        return this.applySnapshot(await this.deps.snapshot());
    }
  }

  /** A snapshot (first or fresh): new messages whole, known ones completed from the log. */
  private async applySnapshot(messages: Message[]): Promise<void> {
    for (const message of messages) {
      if (this.stopped) return;
      const track = this.tracks.get(message.id);
      if (!track) this.sendWhole(message);
      else if (!track.final) await this.catchUp(message, track);
      await this.drained();
    }
  }

  /** A known message from a snapshot: the deltas the consumer lacks, then its end if it is over. */
  private async catchUp(message: Message, track: Track): Promise<void> {
    if (message.seq > track.seq) await this.fill(message.id, track);
    // The log could not fill the gap (trimmed or expired): the whole message replaces the consumer's.
    if (message.seq > track.seq) return this.sendWhole(message);
    if (isFinalStatus(message.status)) this.sendEnd(endOf(message));
  }

  private onMessage(message: Message): void {
    const track = this.tracks.get(message.id);
    if (track && (track.final || message.seq < track.seq)) return;
    if (track && message.seq === track.seq && signature(message) === track.signature) return;
    // New, or changed (e.g. no longer queued): its text covers every delta through its seq.
    this.sendWhole(message);
  }

  private async onDelta(delta: DeltaEvent): Promise<void> {
    const track = this.tracks.get(delta.messageId);
    if (!track || track.final || delta.seq <= track.seq) return;
    if (delta.seq > track.seq + 1) await this.fill(delta.messageId, track);
    if (delta.seq === track.seq + 1) this.sendDelta(delta.messageId, track, delta);
    else if (delta.seq > track.seq + 1) await this.refresh();
  }

  private async onEnd(end: EndEvent): Promise<void> {
    const track = this.tracks.get(end.messageId);
    if (!track || track.final) return;
    if (end.seq > track.seq) await this.fill(end.messageId, track);
    if (end.seq > track.seq) return this.refresh();
    this.sendEnd(end);
  }

  private onReasoning(reasoning: ReasoningEvent): void {
    const track = this.tracks.get(reasoning.messageId);
    if (!track || track.final) return;
    this.deps.send({ event: "reasoning", data: { messageId: reasoning.messageId, text: reasoning.text } });
  }

  /** Sends the logged deltas that follow what the consumer has. */
  private async fill(messageId: string, track: Track): Promise<void> {
    const { deltas } = await this.deps.resume(messageId, track.seq);
    for (const delta of deltas) {
      if (this.stopped) return;
      if (delta.seq === track.seq + 1) this.sendDelta(messageId, track, delta);
      await this.drained();
    }
  }

  /** A gap the log cannot fill: a fresh snapshot sends such messages whole. */
  private async refresh(): Promise<void> {
    await this.applySnapshot(await this.deps.snapshot());
  }

  private sendWhole(message: Message): void {
    const final = isFinalStatus(message.status);
    this.deps.send({ event: "message", id: positionId(message.id, final ? "end" : message.seq), data: message });
    this.track(message, message.seq, final);
  }

  private sendDelta(messageId: string, track: Track, delta: { seq: number; text: string }): void {
    this.deps.send({ event: "delta", id: positionId(messageId, delta.seq), data: { messageId, seq: delta.seq, text: delta.text } });
    track.seq = delta.seq;
  }

  private sendEnd(end: EndEvent): void {
    this.deps.send({ event: "end", id: positionId(end.messageId, "end"), data: end });
    const track = this.tracks.get(end.messageId);
    if (track) this.finish(end.messageId, track);
  }

  private track(message: Message, seq: number, final: boolean): void {
    const track: Track = { seq, final: false, signature: signature(message) };
    this.tracks.set(message.id, track);
    if (final) this.finish(message.id, track);
  }

  private finish(messageId: string, track: Track): void {
    if (track.final) return;
    track.final = true;
    track.signature = undefined;
    // Re-inserted last, so that the oldest finished messages are the first forgotten.
    this.tracks.delete(messageId);
    this.tracks.set(messageId, track);
    if (++this.finalCount > MAX_FINAL_TRACKS) this.forgetOldest();
  }

  private forgetOldest(): void {
    for (const [id, track] of this.tracks) {
      if (!track.final) continue;
      this.tracks.delete(id);
      this.finalCount--;
      return;
    }
  }
}

/** Frame bytes of an event besides its text (ids, names, the message's other fields). */
const EVENT_OVERHEAD_BYTES = 200;

function approximateBytes(event: LiveEvent): number {
  if (event.type === "delta") return event.delta.text.length + EVENT_OVERHEAD_BYTES;
  if (event.type === "message") return event.message.text.length + EVENT_OVERHEAD_BYTES;
  return EVENT_OVERHEAD_BYTES;
}

/** The message without its text (which grows with every delta). */
function signature(message: Message): string {
  return JSON.stringify({ ...message, text: undefined });
}

/** The `chat:end` a consumer would have received for a message that ended. */
export function endOf(message: Message): EndEvent {
  const { id, roomId, seq, status, finishReason, error, usage, stoppedBy, stopReason } = message;
  return {
    roomId,
    messageId: id,
    seq,
    status,
    ...(finishReason !== undefined ? { finishReason } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(usage !== undefined ? { usage } : {}),
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
    ...(stopReason !== undefined ? { stopReason } : {}),
  };
}
