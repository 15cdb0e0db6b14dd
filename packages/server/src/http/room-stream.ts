/**
 * The bookkeeping of one SSE viewer, free of HTTP and sockets: it turns a room's join snapshot
 * and its live events into SSE events so that the text a consumer builds (a `message` event sets
 * a message, each `delta` appends) equals the final text, with no duplicate and no gap — whatever
 * order, duplication or loss the live events arrive with, and across reconnects (Last-Event-ID).
 *
 * The delivery rule is RoomLog's (it keeps no texts here: the consumer holds them); this class
 * sequences its actions (resumes, fresh snapshots) and sends its changes as SSE events. Inputs
 * are handled one at a time, in arrival order; live events pushed before `start` wait for the
 * snapshot and are then merged with it (seqs it already covers are dropped).
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
import { RoomLog, type LogAction, type LogChange } from "@tokencast/sdk/log";
import { parsePosition, positionId, type StreamPosition } from "./sse-event-id.ts";
import type { SseEvent } from "./sse-writer.ts";

export { endOf } from "@tokencast/sdk/log";

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
  /**
   * The stream cannot go on (a snapshot or resume failed, the consumer is too slow): end it; the
   * consumer reconnects.
   */
  fail(error: unknown): void;
  /** Live events waiting for a consumer that does not keep up, in bytes; past this it is cut off. */
  maxPendingBytes: number;
}

/** The consumer reads slower than the room produces: it is cut off and resumes from the log. */
export class SlowConsumerError extends Error {
  override name = "SlowConsumerError";
}

interface Initial {
  messages: Message[];
  lastEventId: string | undefined;
}

export class RoomStream {
  private readonly log = new RoomLog({ keepTexts: false, onChange: (change) => this.outbox.push(sseEventOf(change)) });
  /** What the log's last changes make the consumer receive, sent at its pace (`flush`). */
  private readonly outbox: SseEvent[] = [];
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
    // The resolver holds its promise, and the promise the snapshot: let both go once it is applied.
    this.begin = () => undefined;
  }

  push(event: LiveEvent): void {
    if (this.stopped) return;
    const bytes = approximateBytes(event);
    this.pendingBytes += bytes;
    // A burst handled at once is fine; events piling up while the consumer is behind are not.
    if (this.waitingForConsumer && this.pendingBytes > this.deps.maxPendingBytes) {
      this.stopped = true;
      const limit = this.deps.maxPendingBytes;
      return this.deps.fail(new SlowConsumerError(`more than ${limit} bytes of events waiting for the consumer`));
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
      const why = "is not in this room's history (trimmed or expired): sending all of it";
      this.deps.comment(`Last-Event-ID ${lastEventId} ${why}`);
    }
    await this.applySnapshot(messages);
  }

  /**
   * Tells the log what a consumer resuming at `position` already has: every message up to it as
   * in the snapshot (one answer streams at a time, so those before it are complete), and that
   * message through the given seq. Returns false when the message is not in the snapshot.
   */
  private seed(messages: Message[], position: StreamPosition | undefined): boolean {
    const index = position ? messages.findIndex((m) => m.id === position.messageId) : -1;
    if (!position || index < 0) return false;
    for (const message of messages.slice(0, index)) this.log.assume(message);
    const message = messages[index]!;
    this.log.assume("end" in position ? message : upTo(message, position.seq));
    return true;
  }

  private async handle(event: LiveEvent): Promise<void> {
    switch (event.type) {
      case "message":
        return this.run(this.log.applyMessage(event.message));
      case "delta":
        return this.run(this.log.applyDelta(event.delta));
      case "end":
        return this.run(this.log.applyEnd(event.end));
      case "reasoning":
        this.log.applyReasoning(event.reasoning);
        return this.flush();
      case "presence":
        return this.deps.send({ event: "presence", data: event.presence });
      case "room":
        return this.deps.send({ event: "room", data: event.room });
      case "queue":
        return this.deps.send({ event: "queue", data: event.queue });
      case "resync":
        return this.refresh();
    }
  }

  /** A snapshot (first or fresh), in order: each message caught up before the next is sent. */
  private async applySnapshot(messages: Message[]): Promise<void> {
    for (const message of messages) {
      if (this.stopped) return;
      await this.run(this.log.catchUp(message));
      await this.drained();
    }
  }

  /** A gap the log cannot fill: a fresh snapshot sends such messages whole. */
  private async refresh(): Promise<void> {
    await this.applySnapshot(await this.deps.snapshot());
  }

  /**
   * Sends what the log's changes made, then carries out what it asks for. An `expect-end` needs
   * nothing: the end follows live, or comes with the snapshot of the consumer's next connection.
   */
  private async run(actions: LogAction[]): Promise<void> {
    await this.flush();
    for (const action of actions) {
      if (this.stopped) return;
      if (action.type === "resume") await this.resume(action);
      if (action.type === "resync") await this.refresh();
    }
  }

  private async resume({ messageId, afterSeq, requestId }: Extract<LogAction, { type: "resume" }>): Promise<void> {
    const result = await this.deps.resume(messageId, afterSeq);
    if (this.stopped) return;
    await this.run(this.log.applyResume(requestId, messageId, result));
  }

  /** Sends the outbox, waiting for the consumer between events (a resume may bring many deltas). */
  private async flush(): Promise<void> {
    for (let event = this.outbox.shift(); event; event = this.outbox.shift()) {
      if (this.stopped) return void this.outbox.splice(0);
      this.deps.send(event);
      if (this.outbox.length > 0) await this.drained();
    }
  }
}

function sseEventOf(change: LogChange): SseEvent {
  switch (change.type) {
    case "message": {
      const { message } = change;
      const at = isFinalStatus(message.status) ? "end" : message.seq;
      return { event: "message", id: positionId(message.id, at), data: message };
    }
    case "delta": {
      const { messageId, seq, text } = change;
      return { event: "delta", id: positionId(messageId, seq), data: { messageId, seq, text } };
    }
    case "end":
      return { event: "end", id: positionId(change.end.messageId, "end"), data: change.end };
    case "reasoning":
      return { event: "reasoning", data: { messageId: change.messageId, text: change.text } };
  }
}

/** A message as a consumer at `seq` of it has it: deltas 1..seq, not ended. */
function upTo(message: Message, seq: number): Message {
  return { ...message, seq, status: isFinalStatus(message.status) ? "streaming" : message.status };
}

/** Frame bytes of an event besides its text (ids, names, the message's other fields). */
const EVENT_OVERHEAD_BYTES = 200;

function approximateBytes(event: LiveEvent): number {
  if (event.type === "delta") return event.delta.text.length + EVENT_OVERHEAD_BYTES;
  if (event.type === "message") return event.message.text.length + EVENT_OVERHEAD_BYTES;
  return EVENT_OVERHEAD_BYTES;
}
