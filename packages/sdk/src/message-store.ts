/**
 * The messages a `RoomLog` holds, oldest first. A store that keeps no texts (for a consumer that
 * builds them itself from the log's changes) holds messages in progress without text or
 * reasoning, and of finished ones only their ids (the newest MAX_FINISHED_IDS): that is all the
 * rule needs to drop what comes late for them.
 */
import { isFinalStatus } from "@tokencast/protocol";
import type { Message } from "@tokencast/protocol";
import { insertionIndex } from "./message-merge.ts";

/** Finished ids a store without texts remembers; a message forgotten past this counts as new if it comes again. */
export const MAX_FINISHED_IDS = 5000;

export class MessageStore {
  private readonly messages = new Map<string, Message>();
  private order: string[] = [];
  private cached: Message[] | undefined;
  /** Without texts: the finished messages' ids, oldest first. */
  private readonly finished = new Set<string>();

  constructor(readonly keepsTexts: boolean) {}

  /** Messages oldest first. The same array is returned until something changes. */
  list(): Message[] {
    this.cached ??= this.order.flatMap((id) => this.messages.get(id) ?? []);
    return this.cached;
  }

  get(id: string): Message | undefined {
    return this.messages.get(id);
  }

  /** Over, and kept only as an id (a store without texts). */
  isRetired(id: string): boolean {
    return this.finished.has(id);
  }

  oldestId(): string | undefined {
    return this.order[0];
  }

  /** What is kept of a message. */
  stored(message: Message): Message {
    if (this.keepsTexts) return message;
    const { reasoning: _reasoning, ...rest } = message;
    return { ...rest, text: "" };
  }

  /** Updates a held message (or holds a new one outside `order`; `place` puts it in order). */
  put(message: Message): void {
    this.cached = undefined;
    if (!this.keepsTexts && isFinalStatus(message.status)) return this.retire(message.id);
    this.messages.set(message.id, this.stored(message));
  }

  /** Holds a new message in order of creation (equal times keep arrival order). */
  place(message: Message): void {
    const index = insertionIndex(this.order, message.createdAt, (id) => this.messages.get(id));
    this.put(message);
    if (this.messages.has(message.id)) this.order.splice(index, 0, message.id);
  }

  /** Holds messages older than every one held, oldest first. */
  prepend(messages: readonly Message[]): void {
    for (const message of messages) this.put(message);
    this.order = [...messages.map((m) => m.id).filter((id) => this.messages.has(id)), ...this.order];
  }

  /** Ids held before `id`, oldest first; none when `id` is not held. */
  idsBefore(id: string): string[] {
    const index = this.order.indexOf(id);
    return index > 0 ? this.order.slice(0, index) : [];
  }

  /** Ids held that `keep` selects, oldest first. */
  ids(keep: (id: string) => boolean): string[] {
    return this.order.filter(keep);
  }

  /** Holds `older`, then `next` (in its order), then `extras` placed by creation time; nothing else. */
  replaceAll(older: readonly string[], next: ReadonlyMap<string, Message>, extras: readonly string[]): void {
    const kept = (ids: readonly string[]) => ids.flatMap((id) => this.messages.get(id) ?? []);
    const olderMessages = kept(older);
    const extraMessages = kept(extras);
    this.messages.clear();
    this.order = [];
    this.prepend([...olderMessages, ...next.values()]);
    for (const message of extraMessages) this.place(message);
  }

  private retire(id: string): void {
    if (this.messages.delete(id)) this.order = this.order.filter((held) => held !== id);
    this.finished.delete(id);
    this.finished.add(id);
    if (this.finished.size > MAX_FINISHED_IDS) this.finished.delete(this.finished.values().next().value!);
  }
}
