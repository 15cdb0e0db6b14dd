/**
 * The seq bookkeeping of a room's messages, free of sockets and timers: it takes server events
 * and returns the requests the connection should make (`LogAction`s). The rule it keeps: the text
 * of an answer is exactly the concatenation of its deltas 1..seq, whatever order, duplication or
 * loss the events arrive with. It reports each change of the consumer's view (`LogChange`s), so a
 * consumer that holds the texts itself (an SSE stream) can use it without it keeping any.
 */
import { isFinalStatus } from "@tokencast/protocol";
import type { Delta, DeltaEvent, EndEvent, Message, ReasoningEvent, ResumeResult } from "@tokencast/protocol";
import { emptyStats, type LogChange, type LogStats, type RoomLogOptions } from "./log-change.ts";
import { appendDelta, endOf, finalizeMessage, mergeMessage, sameMessage } from "./message-merge.ts";
import { MessageStore } from "./message-store.ts";

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
  /**
   * A snapshot's copy of the message, ahead of what is held (`catchUp`): the log's deltas are
   * resumed to reach it; it is taken whole only when the log cannot fill the gap.
   */
  target?: Message;
}

export class RoomLog {
  private readonly messages: MessageStore;
  private readonly tracks = new Map<string, Track>();
  /** Ids seen live since the last join was sent: kept even if that join's snapshot lacks them. */
  private joinWindow: Set<string> | undefined;
  private online = false;
  private requestSeq = 0;
  /** How many messages the last snapshot kept from before its oldest one (older history loaded earlier). */
  olderKept = 0;

  readonly stats: LogStats;
  private readonly report: (change: LogChange) => void;

  constructor(options: RoomLogOptions = {}) {
    this.stats = options.stats ?? emptyStats();
    this.report = options.onChange ?? (() => undefined);
    this.messages = new MessageStore(options.keepTexts ?? true);
  }

  /** Messages oldest first. The same array is returned until something changes. */
  list(): Message[] {
    return this.messages.list();
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
      const merged = local ? this.merge(local, incoming) : incoming;
      next.set(incoming.id, merged);
      if (!local || !this.unchanged(local, merged)) changed.push(merged);
    }
    const extras = this.messages.ids((id) => !next.has(id) && this.joinWindow?.has(id) === true);
    const older = this.heldBefore(snapshot).filter((id) => !next.has(id));
    this.olderKept = older.length;
    this.messages.replaceAll(older, next, extras);
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
    if (this.messages.oldestId() !== before) return false;
    const fresh = page.filter((m) => !this.messages.get(m.id) && !this.messages.isRetired(m.id));
    this.messages.prepend(fresh);
    for (const message of fresh) this.report({ type: "message", message });
    return true;
  }

  /** `chat:message`: insert or update by id. */
  applyMessage(incoming: Message): LogAction[] {
    this.joinWindow?.add(incoming.id);
    if (this.messages.isRetired(incoming.id)) return [];
    const local = this.messages.get(incoming.id);
    if (!local) this.insert(incoming);
    else this.replace(local, this.merge(local, incoming));
    return this.settle(incoming.id);
  }

  /**
   * One message of a snapshot, for a consumer that must see a held answer grow delta by delta (a
   * stream whose event ids are positions) and so walks a snapshot in order, running the actions
   * of each message before the next. New: reported whole. Held and in progress: a copy ahead is
   * reached by resuming the log's deltas (taken whole only when the log cannot fill the gap), and
   * a final copy then ends it. A copy behind what is held tells nothing new.
   */
  catchUp(incoming: Message): LogAction[] {
    this.online = true;
    const local = this.messages.get(incoming.id);
    if (this.messages.isRetired(incoming.id)) return [];
    if (!local) return this.applyMessage(incoming);
    if (isFinalStatus(local.status) || incoming.seq < local.seq) return [];
    if (incoming.seq === local.seq && !isFinalStatus(incoming.status)) return this.applyMessage(incoming);
    const track = this.track(incoming.id);
    if (incoming.seq > local.seq) track.target = incoming;
    if (isFinalStatus(incoming.status)) track.end ??= endOf(incoming);
    return this.settle(incoming.id);
  }

  /**
   * Holds a message the consumer already has as given (it resumes a stream it read before up to
   * there), without reporting it.
   */
  assume(message: Message): void {
    if (!this.messages.get(message.id) && !this.messages.isRetired(message.id)) this.messages.place(message);
  }

  /** `chat:delta`: apply in order, ignore duplicates, buffer what is early and resume the gap. */
  applyDelta(delta: DeltaEvent): LogAction[] {
    if (this.messages.isRetired(delta.messageId)) {
      this.stats.duplicatesIgnored++;
      return [];
    }
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
    if (this.messages.isRetired(end.messageId)) return [];
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
    if (current && !progressed && this.isIncomplete(messageId)) return this.unfillable(messageId);
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

  /** True when the message still misses deltas (a gap, or an end or a snapshot's copy whose seq is ahead). */
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
    if (track.target && track.target.seq <= message.seq) track.target = undefined;
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
    const behind = (seq: number | undefined) => seq !== undefined && seq > message.seq;
    return track.buffer.size > 0 || behind(track.end?.seq) || behind(track.target?.seq);
  }

  /**
   * The server's log cannot fill a gap (trimmed or expired): a snapshot's copy ahead replaces the
   * message whole; without one, a fresh snapshot must.
   */
  private unfillable(messageId: string): LogAction[] {
    const target = this.tracks.get(messageId)?.target;
    const message = this.messages.get(messageId);
    if (!target || !message) return [{ type: "resync", messageId }];
    this.replace(message, this.merge(message, target));
    return this.settle(messageId);
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

  /**
   * What the server says about a held message merged into it. Without texts, a copy behind the
   * one held cannot be merged (its text would have to come from the one held): it is stale anyway.
   */
  private merge(local: Message, incoming: Message): Message {
    if (!this.messages.keepsTexts && incoming.seq < local.seq) return local;
    return mergeMessage(local, incoming);
  }

  /** True when `next` would store the same as `local` (without texts: whatever the text). */
  private unchanged(local: Message, next: Message): boolean {
    return sameMessage(local, this.messages.stored(next));
  }

  /** Puts a new copy of a held message, reported when it differs. */
  private replace(local: Message, next: Message): Message {
    if (this.unchanged(local, next)) return local;
    this.put(next);
    this.report({ type: "message", message: next });
    return next;
  }

  private put(message: Message): Message {
    this.messages.put(message);
    return message;
  }

  private insert(message: Message): void {
    this.messages.place(message);
    this.report({ type: "message", message });
  }

  /**
   * Messages held from before a snapshot's oldest one: older history the snapshot continues. None
   * when the snapshot does not start with a message held (what came between is unknown).
   */
  private heldBefore(snapshot: readonly Message[]): string[] {
    return snapshot[0] ? this.messages.idsBefore(snapshot[0].id) : [];
  }
}
