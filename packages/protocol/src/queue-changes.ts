/**
 * The question queue as members see it: its first MAX_LISTED_QUESTIONS questions in one order
 * (most votes, then oldest), kept up to date by small patches (`queue:changed`) instead of the
 * whole list on every vote.
 *
 * Every change of a room's queue gets a version from the store (increasing, shared by every
 * node); each question carries the version of its last change (`rev`), each patch and each join
 * snapshot the version it was read at. That makes patches safe to apply in any order, from any
 * node, before or after the join snapshot:
 * - a question is replaced only by a later state of it (higher `rev`);
 * - a `complete` patch (sent when questions left the queue, so others may move into the list)
 *   lists the whole visible list at its version: what the client holds from before that version
 *   and is not in it is gone; what changed after it stays (`removed` is for clients that keep
 *   no versions: drop those ids, and take a complete patch's `upserts` as the whole list);
 * - a question the client does not hold, last changed at or before the version its list was
 *   last complete at, is not news (it was taken, or below the list) and is ignored.
 */
import { MAX_LISTED_QUESTIONS, MAX_QUEUED_QUESTIONS, type QueuedQuestion } from "./rooms.ts";

/**
 * Questions held beyond the visible ones: a question pushed below the list may be news to a
 * complete patch that was read before it changed and arrives after it. Bounded in case of a
 * misbehaving server (a queue never holds more than MAX_QUEUED_QUESTIONS).
 */
const MAX_HELD = MAX_QUEUED_QUESTIONS + MAX_LISTED_QUESTIONS;

/** Most votes first, then the oldest (ties: by id): the order of every queue, server and clients. */
export function byVotesThenAge(a: QueuedQuestion, b: QueuedQuestion): number {
  return b.votes - a.votes || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** What changed in a room's queue over a short window (the server sends at most 4 a second per node). */
export interface QueueChangedEvent {
  roomId: string;
  /** Questions of the visible list that are new or changed (all of them when `complete`). */
  upserts: QueuedQuestion[];
  /** Questions that left the queue (sent, dismissed). */
  removed: string[];
  /** True when `upserts` is the whole visible list at `version`. */
  complete: boolean;
  /** Questions waiting, listed or not. */
  count: number;
  /** The queue version this was read at. */
  version: number;
}

/** A join's snapshot as a complete change: the ack's `queue`, `queueCount` and `queueVersion`. */
export function snapshotChange(
  roomId: string,
  questions: QueuedQuestion[],
  count: number,
  version: number,
): QueueChangedEvent {
  return { roomId, upserts: questions, removed: [], complete: true, count, version };
}

/** The visible queue a member holds, built from snapshots and patches in whatever order they come. */
export class ListedQueue {
  private held = new Map<string, QueuedQuestion>();
  /** The version the held list was last complete at. */
  private completeAt = -1;
  private countAt = -1;
  private total = 0;

  /** The visible list (the first MAX_LISTED_QUESTIONS), most votes first; a new array on each call. */
  get questions(): QueuedQuestion[] {
    return this.sorted().slice(0, MAX_LISTED_QUESTIONS);
  }

  get count(): number {
    return Math.max(this.total, Math.min(this.held.size, MAX_LISTED_QUESTIONS));
  }

  apply(change: QueueChangedEvent): void {
    if (change.complete && change.version > this.completeAt) this.replace(change);
    else this.merge(change);
    if (change.version >= this.countAt) [this.total, this.countAt] = [change.count, change.version];
    this.truncate();
  }

  /** Keeps what changed after the complete list's version; everything else comes from it. */
  private replace(change: QueueChangedEvent): void {
    const newer = [...this.held.values()].filter((q) => q.rev > change.version);
    this.held = new Map(change.upserts.map((q) => [q.id, q]));
    for (const question of newer) this.upsert(question);
    this.completeAt = change.version;
  }

  /**
   * Only complete patches remove: one read after this list was complete already did (dropping
   * what left before it); one read before says nothing about questions that changed since.
   */
  private merge(change: QueueChangedEvent): void {
    for (const question of change.upserts) {
      if (this.held.has(question.id) || question.rev > this.completeAt) this.upsert(question);
    }
  }

  private upsert(question: QueuedQuestion): void {
    const known = this.held.get(question.id);
    if (!known || known.rev < question.rev) this.held.set(question.id, question);
  }

  private truncate(): void {
    if (this.held.size <= MAX_HELD) return;
    this.held = new Map(
      this.sorted()
        .slice(0, MAX_HELD)
        .map((q) => [q.id, q]),
    );
  }

  private sorted(): QueuedQuestion[] {
    return [...this.held.values()].sort(byVotesThenAge);
  }
}
