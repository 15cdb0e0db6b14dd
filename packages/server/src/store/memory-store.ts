import type { Delta, Message } from "@tokencast/protocol";
import { historyBefore, newestWithin, type HistoryPage, type HistoryRequest } from "../core/history-page.ts";
import {
  MAX_SHARED_PROMPTS,
  type AppendResult,
  type EndPatch,
  type PromptClaim,
  type RoomStore,
} from "../core/ports.ts";

export interface MemoryStoreOptions {
  /** Messages kept per room; the oldest (and their delta logs) go first. */
  historyLimit: number;
  /** A room untouched for this long is forgotten. */
  idleTtlMs: number;
  now?: () => number;
}

interface RoomRecord {
  messages: Message[];
  deltas: Map<string, Delta[]>;
  touchedAt: number;
  /** The newest page as last read, by its budget: every join reads it; dropped by any change. */
  newest: Map<string, HistoryPage>;
  /** Shared prompts (ask-once): prompt key → the claim holding it. */
  prompts: Map<string, PromptClaim>;
}

/** RoomStore for a single node: everything in process memory, gone on restart. */
export class MemoryStore implements RoomStore {
  private readonly rooms = new Map<string, RoomRecord>();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: MemoryStoreOptions) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), Math.min(options.idleTtlMs, 60_000));
    this.sweeper.unref();
  }

  async addMessage(message: Message): Promise<void> {
    const room = this.room(message.roomId);
    room.newest.clear();
    room.messages.push(structuredClone(message));
    room.deltas.set(message.id, []);
    while (room.messages.length > this.options.historyLimit) {
      const dropped = room.messages.shift();
      if (dropped) room.deltas.delete(dropped.id);
    }
  }

  async listMessages(roomId: string): Promise<Message[]> {
    return structuredClone(this.rooms.get(roomId)?.messages ?? []);
  }

  /**
   * The newest page is read once and shared, frozen, by every read until the room's history
   * changes (a join storm into a streaming room reads it hundreds of times between two deltas);
   * any change drops it, so a read never returns what was true before a change it follows.
   */
  async pageMessages(roomId: string, request: HistoryRequest): Promise<HistoryPage | undefined> {
    const room = this.rooms.get(roomId);
    if (!room || request.before !== undefined) return this.readPage(room, request);
    const budget = `${request.maxMessages} ${request.maxBytes}`;
    let page = room.newest.get(budget);
    if (!page) room.newest.set(budget, (page = frozen(this.readPage(room, request)!)));
    return page;
  }

  async getMessage(roomId: string, messageId: string): Promise<Message | undefined> {
    const message = this.find(roomId, messageId);
    return message && structuredClone(message);
  }

  async appendDelta(roomId: string, messageId: string, delta: Delta, owner?: number): Promise<AppendResult> {
    const message = this.find(roomId, messageId);
    const log = this.rooms.get(roomId)?.deltas.get(messageId);
    if (!message || !log || !writableBy(message, owner)) return "refused";
    if (delta.seq !== message.seq + 1) return log[delta.seq - 1]?.text === delta.text ? "duplicate" : "refused";
    log.push({ seq: delta.seq, text: delta.text });
    message.text += delta.text;
    message.seq = delta.seq;
    this.changed(roomId);
    return "appended";
  }

  async readDeltas(roomId: string, messageId: string, afterSeq: number): Promise<Delta[]> {
    const log = this.rooms.get(roomId)?.deltas.get(messageId) ?? [];
    // seq n sits at index n-1: slice instead of scanning.
    return log.slice(Math.max(0, afterSeq)).map((d) => ({ ...d }));
  }

  async finishMessage(
    roomId: string,
    messageId: string,
    patch: EndPatch,
    owner?: number,
  ): Promise<Message | undefined> {
    const message = this.find(roomId, messageId);
    if (!message || !writableBy(message, owner)) return undefined;
    Object.assign(message, structuredClone(patch));
    this.changed(roomId);
    return structuredClone(message);
  }

  async setQueued(roomId: string, messageId: string, place: number | undefined): Promise<Message | undefined> {
    const message = this.find(roomId, messageId);
    if (message?.status !== "streaming") return undefined;
    message.queued = place !== undefined;
    if (place === undefined) delete message.queuePosition;
    else message.queuePosition = place;
    this.rooms.get(roomId)?.newest.clear();
    return structuredClone(message);
  }

  async continueMessage(roomId: string, messageId: string, by: string, owner: number): Promise<Message | undefined> {
    const message = this.find(roomId, messageId);
    if (!message || !writableBy(message, owner)) return undefined;
    message.continuedBy = [...(message.continuedBy ?? []), by];
    delete message.queued;
    delete message.queuePosition;
    this.changed(roomId);
    return structuredClone(message);
  }

  async claimPrompt(roomId: string, key: string, claim: PromptClaim, replacing?: PromptClaim): Promise<PromptClaim> {
    const prompts = this.room(roomId).prompts;
    const holder = prompts.get(key);
    if (holder && holder.messageId !== replacing?.messageId) return { ...holder };
    if (!holder && prompts.size >= MAX_SHARED_PROMPTS) prompts.clear();
    prompts.set(key, { ...claim });
    return { ...claim };
  }

  async releasePrompt(roomId: string, key: string, claim: PromptClaim): Promise<void> {
    const prompts = this.rooms.get(roomId)?.prompts;
    if (prompts?.get(key)?.messageId === claim.messageId) prompts.delete(key);
  }

  /** When the room was last written; undefined for a room it does not hold. */
  writtenAt(roomId: string): number | undefined {
    return this.rooms.get(roomId)?.touchedAt;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private room(roomId: string): RoomRecord {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { messages: [], deltas: new Map(), touchedAt: this.now(), newest: new Map(), prompts: new Map() };
      this.rooms.set(roomId, room);
    }
    room.touchedAt = this.now();
    return room;
  }

  /** A message of the room changed: it was written now, and pages read before are stale. */
  private changed(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    room.touchedAt = this.now();
    room.newest.clear();
  }

  private readPage(room: RoomRecord | undefined, request: HistoryRequest): HistoryPage | undefined {
    const older = historyBefore(room?.messages ?? [], request.before);
    if (!older) return undefined;
    const page = newestWithin(older, request);
    return { messages: structuredClone(page.messages), more: page.more };
  }

  private find(roomId: string, messageId: string): Message | undefined {
    return this.rooms.get(roomId)?.messages.find((m) => m.id === messageId);
  }

  /** Forgets idle rooms; public for tests. */
  sweep(): void {
    const cutoff = this.now() - this.options.idleTtlMs;
    for (const [roomId, room] of this.rooms) if (room.touchedAt < cutoff) this.rooms.delete(roomId);
  }
}

/** A page to share: nobody may change it (a mutation throws instead of reaching other readers). */
function frozen(page: HistoryPage): HistoryPage {
  for (const message of page.messages) deepFreeze(message);
  Object.freeze(page.messages);
  return Object.freeze(page);
}

function deepFreeze(value: object): void {
  for (const inner of Object.values(value)) if (typeof inner === "object" && inner !== null) deepFreeze(inner);
  Object.freeze(value);
}

/** A streaming message, written by its current owner (or by a writer that names none). */
function writableBy(message: Message, owner: number | undefined): boolean {
  return message.status === "streaming" && (owner === undefined || owner === (message.continuedBy?.length ?? 0));
}
