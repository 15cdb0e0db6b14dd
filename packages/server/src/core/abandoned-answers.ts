import type { AnswerRef } from "./ports.ts";

export interface AbandonedAnswersDeps {
  /** How long an answer may stream with nobody in its room (0: forever). */
  graceMs: number;
  now: () => number;
  /** The answers this node runs (streaming or waiting for an upstream slot). */
  running: () => AnswerRef[];
  /** True while someone is in the room on any node, or when the room was created. */
  watched: (roomId: string) => Promise<boolean>;
  /** Ends the answer `stopped` (nobody watching) and aborts its upstream request. */
  stop: (answer: AnswerRef) => void;
}

/** Checks run at most this far apart, so an answer stops within the grace plus this. */
const MAX_CHECK_EVERY_MS = 1000;
const MIN_CHECK_EVERY_MS = 50;

/**
 * Stops answers of ad-hoc rooms everyone has left: an answer nobody watches still costs the LLM
 * its whole length. Stopped once its room has been empty (on every node) for the grace period,
 * as seen by consecutive checks; someone coming back starts the count over.
 */
export class AbandonedAnswers {
  /** Answer id → when it was first seen with nobody watching. */
  private readonly unwatchedSince = new Map<string, number>();
  /** How often to run `check` (0: never). */
  readonly everyMs: number;

  constructor(private readonly deps: AbandonedAnswersDeps) {
    this.everyMs =
      deps.graceMs <= 0 ? 0 : Math.min(MAX_CHECK_EVERY_MS, Math.max(MIN_CHECK_EVERY_MS, Math.round(deps.graceMs / 4)));
  }

  async check(): Promise<void> {
    if (this.deps.graceMs <= 0) return;
    const running = this.deps.running();
    this.forgetEnded(running);
    for (const answer of running) await this.checkOne(answer);
  }

  private async checkOne(answer: AnswerRef): Promise<void> {
    if (await this.deps.watched(answer.roomId)) {
      this.unwatchedSince.delete(answer.messageId);
      return;
    }
    const since = this.unwatchedSince.get(answer.messageId) ?? this.deps.now();
    this.unwatchedSince.set(answer.messageId, since);
    if (this.deps.now() - since < this.deps.graceMs) return;
    this.unwatchedSince.delete(answer.messageId);
    this.deps.stop(answer);
  }

  private forgetEnded(running: AnswerRef[]): void {
    const ids = new Set(running.map((answer) => answer.messageId));
    for (const id of this.unwatchedSince.keys()) if (!ids.has(id)) this.unwatchedSince.delete(id);
  }
}
