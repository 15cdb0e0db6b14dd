/**
 * The seq bookkeeping of a room's messages, free of sockets and timers: it takes server events
 * and returns the requests the connection should make (`LogAction`s). The rule it keeps: the text
 * of an answer is exactly the concatenation of its deltas 1..seq, whatever order, duplication or
 * loss the events arrive with.
 */
import { isFinalStatus } from "@tokencast/protocol";
import type { Delta, DeltaEvent, EndEvent, Message, ReasoningEvent, ResumeResult } from "@tokencast/protocol";
import { emptyStats, type LogChange, type LogStats, type RoomLogOptions } from "./log-change.ts";
import { appendDelta, finalizeMessage, insertionIndex, mergeMessage, sameMessage } from "./message-merge.ts";

export type { LogChange, LogStats, RoomLogOptions } from "./log-change.ts";

/** Deltas held per message while waiting for a gap to be filled; later ones are fetched again by resume. */
export const MAX_BUFFERED_DELTAS = 10_000;

export type LogAction =
  /** Ask the server for the deltas after `afterSeq` (`chat:resume`); report back with the same requestId. */
  | { type: "resume"; messageId: string; afterSeq: number; requestId: number }
  /** The log says the answer is over but no `chat:end` came yet: if none comes soon, resync. */
  | { type: "expect-end"; messageId: string }
  /** The server's delta log cannot fill a gap (trimmed or expired): join again for a fresh snapshot. */
  | { type: "resync"; messageId: string };

/** What the log holds for a message beyond the message itself. */
interface Track {
  /** Deltas that arrived ahead of the next expected seq, by seq. */
  buffer: Map<number, string>;
  /** A `chat:end` waiting for its missing deltas (or for its message to be known). */
  end?: EndEvent;
  /** The id of the resume request in flight, if any: at most one per message. */
  resume?: number;
}

export class RoomLog {
  private readonly messages = new Map<string, Message>();
  private order: string[] = [];
  private readonly tracks = new Map<string, Track>();
  /** Ids seen live since the last join was sent: kept even if that join's snapshot lacks them. */
  private joinWindow: Set<string> | undefined;
  private online = false;
  private requestSeq = 0;
  private cached: Message[] | undefined;
  /** How many messages the last snapshot kept from before its oldest one (older history loaded earlier). */
  olderKept = 0;

  readonly stats: LogStats;
  private readonly report: (change: LogChange) => void;

  constructor(options: RoomLogOptions = {}) {
    this.stats = options.stats ?? emptyStats();
    this.report = options.onChange ?? (() => undefined);
  }

  /** Messages oldest first. The same array is returned until something changes. */
  list(): Message[] {
    this.cached ??= this.order.flatMap((id) => this.messages.get(id) ?? []);
    return this.cached;
  }

  get(id: string): Message | undefined {
    return this.messages.get(id);
  }

  /** A join was sent: remember what arrives live until its snapshot is applied. */
  beginJoin(): void {
    this.joinWindow = new Set();
  }

  /** The connection dropped: forget requests in flight and make none until the next snapshot. */
  goOffline(): void {
    this.online = false;
    for (const track of this.tracks.values()) track.resume = undefined;
  }

  /** Applies a join snapshot (authoritative) and returns the resumes still needed. */
  applySnapshot(snapshot: readonly Message[]): LogAction[] {
    const next = new Map<string, Message>();
    const changed: Message[] = [];
    for (const incoming of snapshot) {
      const local = this.messages.get(incoming.id);
      const merged = local ? mergeMessage(local, incoming) : incoming;
      next.set(incoming.id, merged);
      if (!local || !sameMessage(local, merged)) changed.push(merged);
    }
    const extras = this.order.filter((id) => !next.has(id) && this.joinWindow?.has(id));
    const older = this.heldBefore(snapshot).filter((id) => !next.has(id));
    this.olderKept = older.length;
    this.replaceAll(next, extras, older);
    this.joinWindow = undefined;
    this.online = true;
    for (const message of changed) this.report({ type: "message", message });
    return [...this.tracks.keys()].flatMap((id) => this.settle(id));
  }

  /**
   * A page of older history (`room:history`, oldest first) goes before every message held; those
   * already held are skipped. False, and nothing changes, when `before` is no longer the oldest
   * message held (a snapshot came in between).
   */
  prependOlder(before: string, page: readonly Message[]): boolean {
    if (this.order[0] !== before) return false;
    const fresh = page.filter((m) => !this.messages.has(m.id));
    for (const message of fresh) this.messages.set(message.id, message);
    this.order = [...fresh.map((m) => m.id), ...this.order];
    this.cached = undefined;
    for (const message of fresh) this.report({ type: "message", message });
    return true;
  }

  /** `chat:message`: insert or update by id. */
  applyMessage(incoming: Message): LogAction[] {
    this.joinWindow?.add(incoming.id);
    const local = this.messages.get(incoming.id);
    if (!local) this.insert(incoming);
    else this.replace(local, mergeMessage(local, incoming));
    return this.settle(incoming.id);
  }

  /** `chat:delta`: apply in order, ignore duplicates, buffer what is early and resume the gap. */
  applyDelta(delta: DeltaEvent): LogAction[] {
    const message = this.messages.get(delta.messageId);
    if (!message) {
      this.buffer(this.track(delta.messageId), delta);
      return [];
    }
    if (!this.accept(message, delta)) return [];
    return this.settle(delta.messageId);
  }

  /** `chat:end`: finalize now if every delta is here, else resume the missing ones first. */
  applyEnd(end: EndEvent): LogAction[] {
    const message = this.messages.get(end.messageId);
    if (message && isFinalStatus(message.status) && end.seq <= message.seq) {
      this.finalize(message, end);
      return [];
    }
    this.track(end.messageId).end = end;
    return this.settle(end.messageId);
  }

  /** `chat:reasoning`: cosmetic, appended as it comes; dropped for unknown messages. */
  applyReasoning(event: ReasoningEvent): boolean {
    const message = this.messages.get(event.messageId);
    if (!message) return false;
    this.put({ ...message, reasoning: (message.reasoning ?? "") + event.text });
    this.report({ type: "reasoning", messageId: event.messageId, text: event.text });
    return true;
  }

  /**
   * The answer to a resume request: apply its deltas with the usual rules, then drain. A current
   * answer that does not bring the next expected delta means the server's log cannot fill the gap.
   */
  applyResume(requestId: number, messageId: string, result: ResumeResult): LogAction[] {
    const current = this.finishRequest(requestId, messageId);
    const message = this.messages.get(messageId);
    if (!message) return [];
    const progressed = result.deltas.some((delta) => delta.seq === message.seq + 1);
    for (const delta of result.deltas) this.acceptQuietly(messageId, delta);
    if (current && !progressed && this.isIncomplete(messageId)) return [{ type: "resync", messageId }];
    const actions = this.settle(messageId);
    const after = this.messages.get(messageId);
    if (after && this.waitingForEnd(after, result)) actions.push({ type: "expect-end", messageId });
    return actions;
  }

  /** A resume request failed. Returns true when it was the one in flight (so a retry makes sense). */
  resumeFailed(requestId: number, messageId: string): boolean {
    return this.finishRequest(requestId, messageId);
  }

  /** Re-evaluates a message (after a failed resume's backoff): returns a resume if one is still needed. */
  retry(messageId: string): LogAction[] {
    return this.settle(messageId);
  }

  /**
   * Asks the server where an answer stands (a resume from the current seq), e.g. when nothing has
   * arrived for a while: it may have ended while this client missed the `chat:end`.
   */
  probe(messageId: string): LogAction[] {
    const message = this.messages.get(messageId);
    if (!message || isFinalStatus(message.status)) return [];
    return this.requestResume(message, this.track(messageId));
  }

  /** True when the message still misses deltas (a gap, or an end whose seq is ahead). */
  isIncomplete(messageId: string): boolean {
    const message = this.messages.get(messageId);
    return message !== undefined && this.needsResume(message, this.tracks.get(messageId));
  }

  // ---------- internals ----------

  /** Applies a delta to a known message. Returns true when something changed (applied or buffered). */
  private accept(message: Message, delta: Delta): boolean {
    if (delta.seq <= message.seq) {
      this.stats.duplicatesIgnored++;
      return false;
    }
    if (isFinalStatus(message.status)) return false;
    if (delta.seq === message.seq + 1) {
      this.append(message, delta);
      return true;
    }
    const track = this.track(message.id);
    if (track.buffer.size === 0) this.stats.gapsDetected++;
    return this.buffer(track, delta);
  }

  private acceptQuietly(messageId: string, delta: Delta): void {
    const message = this.messages.get(messageId);
    if (message) this.accept(message, delta);
  }

  private buffer(track: Track, delta: Delta): boolean {
    if (track.buffer.has(delta.seq)) {
      this.stats.duplicatesIgnored++;
      return false;
    }
    if (track.buffer.size >= MAX_BUFFERED_DELTAS) return false;
    track.buffer.set(delta.seq, delta.text);
    return true;
  }

  private append(message: Message, delta: Delta): Message {
    const next = appendDelta(message, delta.seq, delta.text);
    this.stats.deltasApplied++;
    this.put(next);
    this.report({ type: "delta", messageId: message.id, seq: delta.seq, text: delta.text });
    return next;
  }

  /**
   * Brings a message as far as its buffer allows: drains consecutive buffered deltas, applies a
   * waiting end once its seq is reached, and asks for a resume when something is still missing.
   */
  private settle(messageId: string): LogAction[] {
    const track = this.tracks.get(messageId);
    let message = this.messages.get(messageId);
    if (!track || !message) return [];
    message = this.drain(message, track);
    // A final message (from a snapshot or `chat:message`) already carries its whole text.
    if (track.end && (message.seq >= track.end.seq || isFinalStatus(message.status))) {
      message = this.finalize(message, track.end);
      track.end = undefined;
    }
    if (isFinalStatus(message.status)) track.buffer.clear();
    if (!this.needsResume(message, track)) {
      if (track.resume === undefined) this.tracks.delete(messageId);
      return [];
    }
    return this.requestResume(message, track);
  }

  private drain(message: Message, track: Track): Message {
    let current = message;
    for (let text = track.buffer.get(current.seq + 1); text !== undefined; text = track.buffer.get(current.seq + 1)) {
      track.buffer.delete(current.seq + 1);
      current = this.append(current, { seq: current.seq + 1, text });
    }
    for (const seq of track.buffer.keys()) if (seq <= current.seq) track.buffer.delete(seq);
    return current;
  }

  private needsResume(message: Message, track: Track | undefined): boolean {
    if (!track) return false;
    return track.buffer.size > 0 || (track.end !== undefined && track.end.seq > message.seq);
  }

  private requestResume(message: Message, track: Track): LogAction[] {
    if (!this.online || track.resume !== undefined) return [];
    track.resume = ++this.requestSeq;
    this.stats.resumes++;
    return [{ type: "resume", messageId: message.id, afterSeq: message.seq, requestId: track.resume }];
  }

  /** Clears the in-flight marker if `requestId` is the current request; true when it was. */
  private finishRequest(requestId: number, messageId: string): boolean {
    const track = this.tracks.get(messageId);
    if (track?.resume !== requestId) return false;
    track.resume = undefined;
    return true;
  }

  /** The server reports the answer over and every delta is here, but its `chat:end` has not come. */
  private waitingForEnd(message: Message, result: ResumeResult): boolean {
    if (!isFinalStatus(result.status) || isFinalStatus(message.status)) return false;
    return !this.tracks.get(message.id)?.end && !this.isIncomplete(message.id);
  }

  private track(messageId: string): Track {
    let track = this.tracks.get(messageId);
    if (!track) {
      track = { buffer: new Map() };
      this.tracks.set(messageId, track);
    }
    return track;
  }

  /**
   * Applies an end. A message already final (from a snapshot or `chat:message`) was reported
   * final: the end only completes its fields, so it is not reported as an end a second time.
   */
  private finalize(message: Message, end: EndEvent): Message {
    const final = finalizeMessage(message, end);
    if (isFinalStatus(message.status)) return this.replace(message, final);
    this.put(final);
    this.report({ type: "end", message: final, end });
    return final;
  }

  /** Puts a new copy of a held message, reported when it differs. */
  private replace(local: Message, next: Message): Message {
    if (sameMessage(local, next)) return local;
    this.put(next);
    this.report({ type: "message", message: next });
    return next;
  }

  private put(message: Message): Message {
    this.messages.set(message.id, message);
    this.cached = undefined;
    return message;
  }

  private insert(message: Message): void {
    this.place(message);
    this.report({ type: "message", message });
  }

  /** Puts a message in `order` by its creation time, without reporting it. */
  private place(message: Message): void {
    const index = insertionIndex(this.order, message.createdAt, (id) => this.messages.get(id));
    this.put(message);
    this.order = [...this.order.slice(0, index), message.id, ...this.order.slice(index)];
  }

  /**
   * Messages held from before a snapshot's oldest one: older history the snapshot continues. None
   * when the snapshot does not start with a message held (what came between is unknown).
   */
  private heldBefore(snapshot: readonly Message[]): string[] {
    const index = snapshot[0] ? this.order.indexOf(snapshot[0].id) : -1;
    return index > 0 ? this.order.slice(0, index) : [];
  }

  private replaceAll(next: Map<string, Message>, extras: string[], older: string[]): void {
    const kept = extras.flatMap((id) => this.messages.get(id) ?? []);
    const olderMessages = older.flatMap((id) => this.messages.get(id) ?? []);
    this.messages.clear();
    this.order = [...older, ...next.keys()];
    for (const message of olderMessages) this.messages.set(message.id, message);
    for (const message of next.values()) this.messages.set(message.id, message);
    for (const message of kept) this.place(message);
    this.cached = undefined;
  }
}
