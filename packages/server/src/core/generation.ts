import type { EndEvent, Message, StopReason, Usage } from "@tokencast/protocol";
import { Coalescer } from "./coalescer.ts";
import { delay } from "./delay.ts";
import { AppError, toErrorPayload } from "./errors.ts";
import type {
  AnswerSource,
  AppendResult,
  Broadcaster,
  ChatTurn,
  EndPatch,
  Logger,
  Metrics,
  RoomStore,
  UpstreamSlots,
} from "./ports.ts";
import type { CoalescingWindows } from "./shared-windows.ts";
import { StreamTimings } from "./stream-timings.ts";
import { TimingRecorder } from "./timing-recorder.ts";

export interface GenerationDeps {
  store: RoomStore;
  source: AnswerSource;
  broadcaster: Broadcaster;
  logger: Logger;
  /** The coalescing window of each room (adapting to what its broadcasts cost). */
  windows: CoalescingWindows;
  coalesceMaxChars: number;
  slots: UpstreamSlots;
  metrics: Metrics;
}

export interface GenerationInit {
  roomId: string;
  messageId: string;
  /** The room's model, when it names one. */
  model?: string | undefined;
  /** Hears what the answer cost (completion tokens) as it ends, before the room is told. */
  onEnded?: ((tokens: number) => void) | undefined;
  /** An answer another node started and died running: this node goes on from its logged text. */
  resume?: Resume | undefined;
}

/** Where a continued answer stands in the log when this node takes it over. */
export interface Resume {
  /** Its text so far (what the LLM is asked to continue) and the seq of its last delta. */
  text: string;
  seq: number;
  /** How many times it has been continued, this time included: the store takes writes only from this owner. */
  owner: number;
}

/** Why an answer ended early, when it did. */
type Interruption =
  | { status: "stopped"; by: string }
  | { status: "stopped"; reason: StopReason }
  | { status: "interrupted"; code: InterruptCode; reason: string };

export type InterruptCode = "server_shutdown" | "owner_lost";

const WRITE_RETRY_MS = 200;
/** While the store is down, a failing write is logged once every this many attempts. */
const LOG_EVERY_FAILURES = 25;

/**
 * One answer: the single consumer of one upstream stream. Tokens go into a coalescer (no I/O on
 * the read loop); each batch becomes delta seq n+1, appended to the log first and broadcast
 * second, so every delta a viewer can see is in the log. While the log is unreachable, batches
 * wait and are retried (text is never dropped); if the log refuses a delta, the answer was ended
 * elsewhere (another node took it over) and this one stops writing at once. Ends exactly once:
 * whoever ends the message in the store sends chat:end.
 */
export class Generation {
  readonly roomId: string;
  readonly messageId: string;
  private readonly model: string | undefined;
  private readonly onEnded: ((tokens: number) => void) | undefined;
  private seq: number;
  /** Characters of answer text logged (and shown) so far. */
  private chars: number;
  /** The store's fence: 0 for the node that started the answer, n for its nth continuation. */
  private readonly owner: number;
  private readonly continueFrom: string | undefined;
  private pending = "";
  private writing: Promise<void> | undefined;
  private reasoning = "";
  private usage: Usage | undefined;
  private finishReason: string | undefined;
  private interruption: Interruption | undefined;
  private failures = 0;
  /** The log refused a delta: another node ended this answer. */
  private lost = false;
  private readonly abort = new AbortController();
  /** Aborted at the shutdown deadline: stop retrying the store. */
  private readonly giveUp = new AbortController();
  private readonly text: Coalescer;
  private readonly thinking: Coalescer;
  private readonly logger: Logger;
  private readonly timings: StreamTimings;
  /** When the text arrived, kept with the ended answer for replays at its original pace. */
  private readonly arrivals = new TimingRecorder(() => performance.now());
  /** When the oldest text still in the coalescer arrived from upstream (token-to-viewer delay). */
  private bufferedSince: number | undefined;
  /** When the oldest text in `pending` arrived from upstream. */
  private pendingSince: number | undefined;

  constructor(
    private readonly deps: GenerationDeps,
    init: GenerationInit,
  ) {
    this.roomId = init.roomId;
    this.messageId = init.messageId;
    this.model = init.model;
    this.onEnded = init.onEnded;
    this.seq = init.resume?.seq ?? 0;
    this.chars = init.resume?.text.length ?? 0;
    this.owner = init.resume?.owner ?? 0;
    this.continueFrom = init.resume?.text;
    // A continued answer's earlier timing died with its node: its text so far replays at once.
    if (init.resume) {
      this.arrivals.start();
      this.arrivals.arrived(this.chars);
    }
    this.logger = deps.logger.child({ roomId: init.roomId, messageId: init.messageId });
    this.timings = new StreamTimings(deps.metrics);
    const window = {
      windowMs: () => deps.windows.windowMs(init.roomId),
      fanOutDone: () => deps.windows.fanOutDone?.(init.roomId),
      maxChars: deps.coalesceMaxChars,
    };
    this.text = new Coalescer({ ...window, flush: (t) => this.enqueue(t) });
    this.thinking = new Coalescer({ ...window, flush: (t) => this.publishReasoning(t) });
  }

  /** True once the answer is being ended (its lock may already be given back). */
  ending = false;

  /** True when the log refused this node's writes: the answer ended elsewhere or went on on another node. */
  get fencedOut(): boolean {
    return this.lost;
  }

  /** Completion tokens this answer cost: as the LLM reported, else estimated (4 characters a token). */
  tokensUsed(): number {
    return this.usage?.completionTokens ?? Math.ceil(this.chars / 4);
  }

  /** Asks the answer to end `stopped`, keeping its partial text. Idempotent. */
  stop(by: string): void {
    this.interruption ??= { status: "stopped", by };
    this.abort.abort();
  }

  /** Asks the answer to end `stopped` because nobody watches it, keeping its partial text. Idempotent. */
  stopUnwatched(): void {
    this.interruption ??= { status: "stopped", reason: "nobody_watching" };
    this.abort.abort();
  }

  /** Ends the answer `interrupted` (the node is shutting down, or lost the room). Idempotent. */
  interrupt(reason: string, code: InterruptCode = "server_shutdown"): void {
    this.interruption ??= { status: "interrupted", code, reason };
    this.abort.abort();
  }

  /**
   * Stops here without ending the answer (the node shuts down and another continues it): the
   * upstream request is closed, the text received so far is logged, and no end is recorded.
   */
  handOver(): void {
    this.handedOver = true;
    this.abort.abort();
  }

  /** True once `handOver` was asked: the answer stays streaming for another node. */
  handedOver = false;

  /** Stops waiting for an unreachable store: ends now with what was logged. */
  abandon(): void {
    this.giveUp.abort();
    this.abort.abort();
  }

  /** Streams the answer to the end; never throws. Resolves once the answer is ended. */
  async run(turns: Promise<ChatTurn[]>): Promise<void> {
    let failure: unknown;
    const release = await this.waitForSlot();
    const streaming = this.deps.metrics.answerStreaming();
    try {
      if (!this.abort.signal.aborted) await this.consume(await turns);
    } catch (error) {
      failure = error;
    } finally {
      streaming();
      release();
    }
    this.text.flushNow();
    this.thinking.flushNow();
    while (this.writing !== undefined) await this.writing;
    await this.finish(failure);
  }

  /**
   * Holds an upstream slot; while none is free the answer shows as queued, with its place in
   * line, to everyone. Marks are stored and sent in order (each waits for the previous one).
   */
  private async waitForSlot(): Promise<() => void> {
    let marks: Promise<void> | undefined;
    let queued: (() => void) | undefined;
    const mark = (place: number | undefined) => {
      if (place !== undefined) queued ??= this.deps.metrics.answerQueued();
      marks = (marks ?? Promise.resolve()).then(() => this.markQueued(place));
    };
    const release = await this.deps.slots.acquire(this.messageId, this.abort.signal, mark);
    queued?.();
    if (marks && !this.abort.signal.aborted) mark(undefined);
    await marks;
    return release;
  }

  private async markQueued(place: number | undefined): Promise<void> {
    try {
      const message = await this.deps.store.setQueued(this.roomId, this.messageId, place);
      if (message) this.deps.broadcaster.message(message);
    } catch (error) {
      // Cosmetic: the answer still streams; viewers just miss the "waiting" hint.
      this.logger.warn({ err: error, place }, "could not mark the answer queued");
    }
  }

  private async consume(turns: ChatTurn[]): Promise<void> {
    const { model, continueFrom } = this;
    const request = { turns, signal: this.abort.signal, ...(model ? { model } : {}) };
    const stream = this.deps.source.stream(continueFrom === undefined ? request : { ...request, continueFrom });
    this.timings.requested();
    this.arrivals.start();
    for await (const event of stream) {
      if (this.abort.signal.aborted) return;
      switch (event.type) {
        case "text": {
          const at = this.timings.token(); // every token counts, also those joining a batch
          this.bufferedSince ??= at;
          this.text.push(event.text);
          break;
        }
        case "reasoning":
          this.timings.token();
          this.reasoning += event.text;
          this.thinking.push(event.text);
          break;
        case "usage":
          this.usage = event.usage;
          break;
        case "finish":
          this.finishReason = event.reason;
          break;
      }
    }
  }

  private enqueue(text: string): void {
    const since = this.bufferedSince;
    this.bufferedSince = undefined;
    if (this.lost) return;
    this.pendingSince ??= since;
    this.pending += text;
    this.writing ??= this.writeLoop();
  }

  /** Appends pending text as deltas, one at a time; batches whatever accumulates meanwhile. */
  private async writeLoop(): Promise<void> {
    while (this.pending !== "") {
      const text = this.pending;
      const since = this.pendingSince;
      this.pending = "";
      this.pendingSince = undefined;
      const outcome = await this.appendAndPublish(text, since);
      if (outcome === "lost") break;
      if (outcome === "retry") {
        this.pending = text + this.pending;
        this.pendingSince = since ?? this.pendingSince;
        if (this.giveUp.signal.aborted) break;
        await delay(WRITE_RETRY_MS, this.giveUp.signal);
      }
    }
    if (this.pending !== "" && this.giveUp.signal.aborted) {
      this.logger.error(
        { lost: this.pending.length },
        "answer text could not be logged before shutdown and was not shown to anyone",
      );
    }
    // No await between the loop test and this line: enqueue() cannot slip text in unseen.
    this.writing = undefined;
  }

  /** `since`: when the oldest of this text arrived from upstream. */
  private async appendAndPublish(text: string, since: number | undefined): Promise<"ok" | "retry" | "lost"> {
    const seq = this.seq + 1;
    let result: AppendResult;
    try {
      result = await this.deps.store.appendDelta(this.roomId, this.messageId, { seq, text }, this.owner);
    } catch (error) {
      if (this.failures++ % LOG_EVERY_FAILURES === 0)
        this.logger.warn({ err: error, seq, failures: this.failures }, "could not append a delta to the log; retrying");
      return "retry";
    }
    if (result === "refused") {
      this.loseTheAnswer(seq);
      return "lost";
    }
    this.failures = 0;
    this.seq = seq;
    this.chars += text.length;
    this.arrivals.arrived(this.chars);
    this.deps.broadcaster.delta({ roomId: this.roomId, messageId: this.messageId, seq, text });
    if (since !== undefined) this.deps.metrics.deltaBroadcast(performance.now() - since);
    return "ok";
  }

  /** The log refused a delta: the answer was ended, or continued, elsewhere. Stop reading and writing. */
  private loseTheAnswer(seq: number): void {
    this.logger.warn({ seq }, "the log refused a delta: this answer was ended elsewhere; stopping it here");
    this.lost = true;
    this.pending = "";
    this.interrupt("The server running this answer lost it.", "owner_lost");
  }

  private publishReasoning(text: string): void {
    this.deps.broadcaster.reasoning({ roomId: this.roomId, messageId: this.messageId, text });
  }

  private async finish(failure: unknown): Promise<void> {
    this.ending = true;
    this.text.dispose();
    this.thinking.dispose();
    if (this.handedOver && !this.lost) {
      this.onEnded?.(this.tokensUsed());
      this.logger.info({ seq: this.seq }, "answer handed over to another node");
      return;
    }
    const end = this.endEvent(failure);
    const recorded = await this.record(end);
    this.onEnded?.(this.tokensUsed());
    this.timings.ended(end.status);
    if (recorded === "ended-elsewhere") {
      this.logger.info({ seq: this.seq }, "answer had already been ended elsewhere");
      return;
    }
    const final = { ...end, seq: recorded?.seq ?? end.seq };
    this.deps.broadcaster.end(final);
    this.logger.info({ status: final.status, seq: final.seq, code: final.error?.code }, "answer ended");
  }

  /**
   * Ends the message in the store, retrying while the store is unreachable (until abandoned).
   * Returns the message as ended; "ended-elsewhere" when another node ended it first (it told
   * the room); undefined when it could not be recorded (gone, or given up), so this node tells.
   */
  private async record(end: EndEvent): Promise<Message | "ended-elsewhere" | undefined> {
    const { roomId: _room, messageId: _message, seq: _seq, ...fields } = end;
    const patch = { ...fields, ...(this.reasoning ? { reasoning: this.reasoning } : {}) } as EndPatch;
    for (let attempt = 0; ; attempt++) {
      try {
        const ended = await this.deps.store.finishMessage(this.roomId, this.messageId, patch, this.owner);
        if (ended) return ended;
        return (await this.deps.store.getMessage(this.roomId, this.messageId)) ? "ended-elsewhere" : undefined;
      } catch (error) {
        if (this.giveUp.signal.aborted) {
          this.logger.error({ err: error }, "could not store the end of an answer before shutdown");
          return undefined;
        }
        if (attempt % LOG_EVERY_FAILURES === 0)
          this.logger.warn({ err: error }, "could not store the end of an answer; retrying");
        await delay(WRITE_RETRY_MS, this.giveUp.signal);
      }
    }
  }

  private endEvent(failure: unknown): EndEvent {
    const base = { roomId: this.roomId, messageId: this.messageId, seq: this.seq };
    const timing = this.arrivals.timing();
    const extras = {
      ...(timing ? { timing } : {}),
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.finishReason ? { finishReason: this.finishReason } : {}),
    };
    const interruption = this.interruption;
    if (interruption?.status === "stopped") {
      const why = "by" in interruption ? { stoppedBy: interruption.by } : { stopReason: interruption.reason };
      return { ...base, ...extras, status: "stopped", ...why };
    }
    if (interruption?.status === "interrupted") {
      return {
        ...base,
        ...extras,
        status: "interrupted",
        error: { code: interruption.code, message: interruption.reason },
      };
    }
    if (failure !== undefined) {
      if (!(failure instanceof AppError)) this.logger.error({ err: failure }, "answer failed unexpectedly");
      // Members get the error's plain message; what the upstream said and where (its cause) is for the log.
      else this.logger.warn({ err: failure, code: failure.code }, "answer failed");
      const error = toErrorPayload(failure);
      if (this.timings.wasRequested()) this.deps.metrics.upstreamError(error.code);
      return { ...base, ...extras, status: "error", error };
    }
    return { ...base, ...extras, status: "done" };
  }
}
