import type { EndEvent, Usage } from "@tokencast/protocol";
import { Coalescer } from "./coalescer.ts";
import { AppError, toErrorPayload } from "./errors.ts";
import type { AnswerSource, Broadcaster, ChatTurn, Logger, MessagePatch, RoomStore } from "./ports.ts";

export interface GenerationDeps {
  store: RoomStore;
  source: AnswerSource;
  broadcaster: Broadcaster;
  logger: Logger;
  coalesceMs: number;
  coalesceMaxChars: number;
}

export interface GenerationInit {
  roomId: string;
  messageId: string;
}

/** Why an answer ended early, when it did. */
type Interruption = { status: "stopped"; by: string } | { status: "interrupted"; reason: string };

const WRITE_RETRY_MS = 200;

/**
 * One answer: the single consumer of one upstream stream. Tokens go into a coalescer (no I/O on
 * the read loop); each batch becomes delta seq n+1, appended to the log first and broadcast
 * second, so every delta a viewer can see is in the log. Ends exactly once with chat:end.
 */
export class Generation {
  readonly roomId: string;
  readonly messageId: string;
  private seq = 0;
  private pending = "";
  private writing: Promise<void> | undefined;
  private reasoning = "";
  private usage: Usage | undefined;
  private finishReason: string | undefined;
  private interruption: Interruption | undefined;
  private finishing = false;
  private readonly abort = new AbortController();
  private readonly text: Coalescer;
  private readonly thinking: Coalescer;
  private readonly logger: Logger;

  constructor(
    private readonly deps: GenerationDeps,
    init: GenerationInit,
  ) {
    this.roomId = init.roomId;
    this.messageId = init.messageId;
    this.logger = deps.logger.child({ roomId: init.roomId, messageId: init.messageId });
    const window = { windowMs: deps.coalesceMs, maxChars: deps.coalesceMaxChars };
    this.text = new Coalescer({ ...window, flush: (t) => this.enqueue(t) });
    this.thinking = new Coalescer({ ...window, flush: (t) => this.publishReasoning(t) });
  }

  /** Asks the answer to end `stopped`, keeping its partial text. Idempotent. */
  stop(by: string): void {
    this.interruption ??= { status: "stopped", by };
    this.abort.abort();
  }

  /** Ends the answer `interrupted` (e.g. the node is shutting down). Idempotent. */
  interrupt(reason: string): void {
    this.interruption ??= { status: "interrupted", reason };
    this.abort.abort();
  }

  /** Streams the answer to the end; never throws. Resolves once chat:end is sent. */
  async run(turns: Promise<ChatTurn[]>): Promise<void> {
    let failure: unknown;
    try {
      await this.consume(await turns);
    } catch (error) {
      failure = error;
    }
    this.text.flushNow();
    this.thinking.flushNow();
    await this.drainWrites();
    await this.finish(failure);
  }

  private async consume(turns: ChatTurn[]): Promise<void> {
    const stream = this.deps.source.stream({ turns, signal: this.abort.signal });
    for await (const event of stream) {
      if (this.abort.signal.aborted) return;
      switch (event.type) {
        case "text":
          this.text.push(event.text);
          break;
        case "reasoning":
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
    this.pending += text;
    this.writing ??= this.writeLoop();
  }

  /** Appends pending text as deltas, one at a time; batches whatever accumulates meanwhile. */
  private async writeLoop(): Promise<void> {
    while (this.pending !== "") {
      const text = this.pending;
      this.pending = "";
      const written = await this.appendAndPublish(text);
      if (!written) {
        this.pending = text + this.pending;
        if (this.finishing) break;
        await delay(WRITE_RETRY_MS);
      }
    }
    // No await between the loop test and this line: enqueue() cannot slip text in unseen.
    this.writing = undefined;
  }

  private async appendAndPublish(text: string): Promise<boolean> {
    const seq = this.seq + 1;
    try {
      const appended = await this.deps.store.appendDelta(this.roomId, this.messageId, { seq, text });
      if (!appended) throw new AppError("internal_error", `delta ${seq} was refused by the log`);
    } catch (error) {
      this.logger.error({ err: error, seq }, "could not append delta to the log");
      return false;
    }
    this.seq = seq;
    this.deps.broadcaster.delta({ roomId: this.roomId, messageId: this.messageId, seq, text });
    return true;
  }

  private async drainWrites(): Promise<void> {
    this.finishing = true;
    while (this.writing !== undefined) await this.writing;
    if (this.pending !== "") {
      this.logger.error({ lost: this.pending.length }, "answer text could not be logged and was not shown to anyone");
    }
  }

  private publishReasoning(text: string): void {
    this.deps.broadcaster.reasoning({ roomId: this.roomId, messageId: this.messageId, text });
  }

  private async finish(failure: unknown): Promise<void> {
    this.text.dispose();
    this.thinking.dispose();
    const end = this.endEvent(failure);
    const { roomId: _room, messageId: _message, seq: _seq, ...fields } = end;
    const patch: MessagePatch = { ...fields, ...(this.reasoning ? { reasoning: this.reasoning } : {}) };
    try {
      await this.deps.store.updateMessage(this.roomId, this.messageId, patch);
    } catch (error) {
      this.logger.error({ err: error }, "could not store the end of an answer");
    }
    this.deps.broadcaster.end(end);
    this.logger.info({ status: end.status, seq: end.seq, code: end.error?.code }, "answer ended");
  }

  private endEvent(failure: unknown): EndEvent {
    const base = { roomId: this.roomId, messageId: this.messageId, seq: this.seq };
    const extras = {
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.finishReason ? { finishReason: this.finishReason } : {}),
    };
    const interruption = this.interruption;
    if (interruption?.status === "stopped") return { ...base, ...extras, status: "stopped", stoppedBy: interruption.by };
    if (interruption?.status === "interrupted") {
      const error = { code: "internal_error" as const, message: interruption.reason };
      return { ...base, ...extras, status: "interrupted", error };
    }
    if (failure !== undefined) {
      if (!(failure instanceof AppError)) this.logger.error({ err: failure }, "answer failed unexpectedly");
      return { ...base, ...extras, status: "error", error: toErrorPayload(failure) };
    }
    return { ...base, ...extras, status: "done" };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
