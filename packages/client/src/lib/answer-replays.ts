/**
 * The replays running in one view of a room, by answer id: the text each shows so far. A replay
 * ends by itself, or when skipped; starting one that runs starts it over. Framework-free: the
 * reactive wrappers (RoomState, EmbedSession) mirror `shown` on every `changed` call.
 */
import type { Message } from "@tokencast/protocol";
import { AnswerReplay, type ReplayOptions } from "./answer-replay.ts";

export class AnswerReplays {
  readonly #running = new Map<string, AnswerReplay>();
  readonly #shown = new Map<string, string>();
  readonly #changed: () => void;
  readonly #options: ReplayOptions;

  constructor(changed: () => void, options: ReplayOptions = {}) {
    this.#changed = changed;
    this.#options = options;
  }

  /** Answer id → the text its replay shows now (only answers being replayed). */
  get shown(): ReadonlyMap<string, string> {
    return new Map(this.#shown);
  }

  /** Replays a finished answer from its start. */
  start(answer: Message): void {
    this.#running.get(answer.id)?.destroy();
    const show = (visible: string, done: boolean) => this.#update(answer.id, visible, done);
    const replay = new AnswerReplay(answer.text, answer.timing, show, this.#options);
    if (!replay.done) this.#running.set(answer.id, replay);
  }

  /** "Show all": the whole text now. */
  skip(answerId: string): void {
    this.#running.get(answerId)?.skip();
  }

  destroy(): void {
    for (const replay of this.#running.values()) replay.destroy();
    this.#running.clear();
    this.#shown.clear();
  }

  #update(answerId: string, visible: string, done: boolean): void {
    if (done) {
      this.#running.delete(answerId);
      this.#shown.delete(answerId);
    } else this.#shown.set(answerId, visible);
    this.#changed();
  }
}
