import type { Message, StopRequest } from "@tokencast/protocol";
import { delay } from "./delay.ts";
import { AppError } from "./errors.ts";
import type { Continuations } from "./continuation.ts";
import { Generation, type Resume } from "./generation.ts";
import type { CoalescingWindows } from "./shared-windows.ts";
import type {
  AnswerLocks,
  AnswerRef,
  AnswerSource,
  Broadcaster,
  ChatTurn,
  Logger,
  Metrics,
  RoomStore,
  UpstreamSlots,
} from "./ports.ts";

export interface AnswersDeps {
  store: RoomStore;
  locks: AnswerLocks;
  source: AnswerSource;
  broadcaster: Broadcaster;
  logger: Logger;
  windows: CoalescingWindows;
  coalesceMaxChars: number;
  slots: UpstreamSlots;
  metrics: Metrics;
  /** Absent: a dead node's answers end `interrupted` (LLM_CONTINUE=off). */
  continuations?: Continuations | undefined;
}

/** After interrupting what is left at a shutdown deadline, how long the ends may take to be stored. */
const RECORD_ENDS_MS = 1500;

const OWNER_LOST = "The server running this answer stopped responding; the answer was cut short.";
const CONTINUED = "took over an answer whose server died: continuing it here from its logged text";

/**
 * The answers this node owns (one per room, cluster-wide, under the room's answer lock), and the
 * takeover of answers whose owner died. Transport-free: events go out through the Broadcaster.
 */
export class Answers {
  private readonly active = new Map<string, Generation>();
  private readonly running = new Set<Promise<void>>();
  /** Draining: this node takes no orphan over (it would pick up the very answers it hands over). */
  private closing = false;

  constructor(private readonly deps: AnswersDeps) {}

  count(): number {
    return this.active.size;
  }

  /** Takes the room for a new answer, or throws `busy`. */
  async claim(roomId: string, messageId: string): Promise<void> {
    if (this.active.has(roomId) || !(await this.deps.locks.acquire(roomId, messageId))) {
      throw new AppError("busy", "An answer is still streaming in this room; wait for it or stop it.");
    }
  }

  /** Gives back a room claimed for an answer that did not start. */
  async unclaim(roomId: string, messageId: string): Promise<void> {
    await this.deps.locks
      .release(roomId, messageId)
      .catch((error: unknown) => this.releaseFailed(error, roomId, messageId));
  }

  /** Streams a claimed answer (already published as `streaming`) to its end. */
  /** `onEnded` hears what the answer cost (completion tokens) once it has ended. */
  start(answer: Message, turns: Promise<ChatTurn[]>, model?: string, onEnded?: (tokens: number) => void): void {
    this.run(this.createGeneration(answer, model, { onEnded }), turns);
  }

  private run(generation: Generation, turns: Promise<ChatTurn[]>): void {
    const { roomId, messageId } = generation;
    this.active.set(roomId, generation);
    const renewal = setInterval(() => void this.renew(generation), this.deps.locks.renewEveryMs);
    const run = generation.run(turns).finally(async () => {
      clearInterval(renewal);
      this.active.delete(roomId);
      // Fenced out: the room's lock (same answer) is now another node's, which goes on with it.
      if (!generation.fencedOut) {
        const locks = this.deps.locks;
        await (generation.handedOver ? locks.handOver(roomId, messageId) : locks.release(roomId, messageId)).catch(
          (error: unknown) => this.releaseFailed(error, roomId, messageId),
        );
      }
      this.running.delete(run);
    });
    this.running.add(run);
  }

  /** The answers this node runs (streaming, or waiting for an upstream slot). */
  answersRunning(): AnswerRef[] {
    return [...this.active.values()].map(({ roomId, messageId }) => ({ roomId, messageId }));
  }

  /** Stops an answer this node runs because nobody watches it (text kept, upstream request aborted). */
  stopUnwatched(answer: AnswerRef): void {
    const generation = this.active.get(answer.roomId);
    if (generation?.messageId !== answer.messageId) return;
    this.deps.logger.info({ ...answer }, "nobody is in the room any more: stopping its answer");
    generation.stopUnwatched();
  }

  /** Stops the answer if this node runs it; false otherwise. */
  stopLocal(request: StopRequest): boolean {
    const generation = this.active.get(request.roomId);
    if (generation?.messageId !== request.messageId) return false;
    generation.stop(request.by);
    return true;
  }

  /**
   * Goes on here with every answer whose owner stopped renewing its lease, where the LLM can
   * continue it; ends the others `interrupted` (partial text kept) and tells their rooms. Exactly
   * one node takes each: the room's lock, and the store's fence on the answer's owner.
   */
  async takeOverOrphans(): Promise<void> {
    if (this.closing) return;
    for (const orphan of await this.deps.locks.orphans()) {
      // Our own lease lapsed (a stall): the renewal re-takes it or finds the answer lost.
      if (this.active.get(orphan.roomId)?.messageId === orphan.messageId) continue;
      await this.takeOver(orphan);
    }
  }

  /**
   * Lets answers in progress finish for up to `graceMs`, then interrupts the rest and waits
   * (briefly) for their ends to be stored. Resolves when every answer here has ended. Where other
   * nodes continue answers, hands them over at once instead (a rolling deploy takes seconds).
   */
  async drain(graceMs: number, reason: string): Promise<void> {
    this.closing = true;
    if (this.handsOver()) {
      for (const generation of this.active.values()) generation.handOver();
      await this.settledWithin(RECORD_ENDS_MS);
    }
    if (this.running.size > 0) await this.settledWithin(graceMs);
    if (this.running.size === 0) return;
    for (const generation of this.active.values()) generation.interrupt(reason, "server_shutdown");
    await this.settledWithin(RECORD_ENDS_MS);
    for (const generation of this.active.values()) generation.abandon();
    await this.settled();
  }

  /** Other nodes look for orphans and may continue them: an answer left here goes on there. */
  private handsOver(): boolean {
    return this.deps.continuations !== undefined && this.deps.locks.orphanCheckEveryMs > 0;
  }

  private async takeOver(orphan: AnswerRef): Promise<void> {
    const answer = await this.deps.store.getMessage(orphan.roomId, orphan.messageId);
    const owner = answer?.continuedBy?.length ?? 0;
    const continuations = this.deps.continuations;
    if (answer && continuations?.mayContinue(answer)) await this.continueHere(continuations, answer, owner);
    else await this.endOrphan(orphan, owner);
  }

  /**
   * Claims the answer in the store for this node (only one node's claim of owner `owner` holds),
   * then the room, and goes on with it. A room that another answer took meanwhile ends it.
   */
  private async continueHere(continuations: Continuations, answer: Message, owner: number): Promise<void> {
    const { locks, store } = this.deps;
    const request = await continuations.request(answer);
    const taken = await store.continueMessage(answer.roomId, answer.id, continuations.nodeId, owner);
    if (!taken) return; // another node claimed it first, or it ended
    const resume = { text: taken.text, seq: taken.seq, owner: owner + 1 };
    if (!(await locks.acquire(answer.roomId, answer.id))) return this.endOrphan(answer, resume.owner);
    // The room learns who goes on with it (and that it is no longer queued), its text unchanged.
    this.deps.broadcaster.message(taken);
    this.run(this.createGeneration(taken, request.model, { resume }), Promise.resolve(request.turns));
    this.deps.logger.warn({ roomId: answer.roomId, messageId: answer.id, seq: taken.seq }, CONTINUED);
  }

  /** Ends an orphan `interrupted`, unless it moved on from `owner` meanwhile (another node continues it). */
  private async endOrphan(answer: AnswerRef | Message, owner: number): Promise<void> {
    const orphan = { roomId: answer.roomId, messageId: "messageId" in answer ? answer.messageId : answer.id };
    const error = { code: "owner_lost" as const, message: OWNER_LOST };
    const patch = { status: "interrupted" as const, error };
    const ended = await this.deps.store.finishMessage(orphan.roomId, orphan.messageId, patch, owner);
    if (ended) {
      this.deps.broadcaster.end({ ...orphan, seq: ended.seq, status: "interrupted", error });
      this.deps.logger.warn(
        { ...orphan, seq: ended.seq },
        "took over an answer whose server died: ended it interrupted",
      );
    }
    await this.deps.locks.forget(orphan);
  }

  private async renew(generation: Generation): Promise<void> {
    const { roomId, messageId } = generation;
    try {
      if (await this.deps.locks.renew(roomId, messageId)) return;
      // A renewal racing the answer's own end finds it ended: nothing was lost.
      if (generation.ending) return;
      this.deps.logger.warn({ roomId, messageId }, "this node lost the room's answer lock; ending the answer here");
      generation.interrupt("The server running this answer lost its claim on the room.", "owner_lost");
    } catch (error) {
      // Redis is unreachable: keep streaming; the lease is re-taken when it is back.
      this.deps.logger.warn({ err: error, roomId, messageId }, "could not renew the answer lock");
    }
  }

  /** `settled()`, waited for at most `ms`; the timer is cleared once they settle, so it never holds the process. */
  private async settledWithin(ms: number): Promise<void> {
    const settled = new AbortController();
    await Promise.race([this.settled(), delay(ms, settled.signal)]);
    settled.abort();
  }

  private settled(): Promise<unknown> {
    return Promise.allSettled([...this.running]);
  }

  private createGeneration(
    answer: Message,
    model: string | undefined,
    extra: { onEnded?: ((tokens: number) => void) | undefined; resume?: Resume },
  ): Generation {
    const { store, source, broadcaster, logger, windows, coalesceMaxChars, slots, metrics } = this.deps;
    const deps = { store, source, broadcaster, logger, windows, coalesceMaxChars, slots, metrics };
    return new Generation(deps, { roomId: answer.roomId, messageId: answer.id, model, ...extra });
  }

  private releaseFailed(error: unknown, roomId: string, messageId: string): void {
    this.deps.logger.warn(
      { err: error, roomId, messageId },
      "could not release the room's answer lock (it expires by itself)",
    );
  }
}
