/**
 * A presentation's question queue as this client sees it: the listed questions (most votes
 * first, then oldest: the protocol's one order), kept by the join snapshot and `queue:changed`
 * patches, the total count, which ones this person voted for and which ones they asked. Both are
 * remembered per room for the life of the tab (the server counts one vote per voter id anyway,
 * and lets only the asker's voter id edit or withdraw a question).
 */
import { ListedQueue, snapshotChange } from "@tokencast/protocol";
import type { JoinResult, QueueChangedEvent, QueuedQuestion } from "@tokencast/protocol";

/** Question ids (voted for, or asked), by room: shared by every connection of this tab. */
export class QuestionIdMemory {
  private readonly byRoom = new Map<string, Set<string>>();

  has(roomId: string, questionId: string): boolean {
    return this.byRoom.get(roomId)?.has(questionId) ?? false;
  }

  add(roomId: string, questionId: string): void {
    let votes = this.byRoom.get(roomId);
    if (!votes) this.byRoom.set(roomId, (votes = new Set()));
    votes.add(questionId);
  }

  delete(roomId: string, questionId: string): void {
    this.byRoom.get(roomId)?.delete(questionId);
  }

  /** The ids voted for in a room (a copy). */
  of(roomId: string): Set<string> {
    return new Set(this.byRoom.get(roomId));
  }
}

/** The app's memory of votes (one per tab). */
export const tabVotes = new QuestionIdMemory();
/** The app's memory of the questions this person asked (one per tab). */
export const tabAsked = new QuestionIdMemory();

export class QuestionQueue {
  private listed = new ListedQueue();
  /** The join in flight has not brought its snapshot yet: the list shown stays the one before. */
  private awaitingSnapshot = false;
  private current: QueuedQuestion[] = [];
  private total = 0;
  private voted: Set<string>;
  private asked: Set<string>;

  constructor(
    private readonly roomId: string,
    private readonly votes: QuestionIdMemory = tabVotes,
    private readonly askedMemory: QuestionIdMemory = tabAsked,
  ) {
    this.voted = votes.of(roomId);
    this.asked = askedMemory.of(roomId);
  }

  /** Most votes first, then oldest; a new array after each change. */
  get questions(): QueuedQuestion[] {
    return this.current;
  }

  /** Everything waiting, including questions beyond the listed ones. */
  get count(): number {
    return this.total;
  }

  /** The ids this person voted for; a new set after each change. */
  get myVotes(): ReadonlySet<string> {
    return this.voted;
  }

  /** The ids of the questions this person asked (they may edit or withdraw them); a new set after each change. */
  get myQuestions(): ReadonlySet<string> {
    return this.asked;
  }

  markAsked(questionId: string): void {
    this.askedMemory.add(this.roomId, questionId);
    this.asked = this.askedMemory.of(this.roomId);
  }

  /**
   * A join is being sent: the list is rebuilt from its snapshot and the patches that come from
   * now on (in any order: see the protocol's queue-changes.ts). Another server, restarted since,
   * may count versions anew; nothing of before is mixed with its.
   */
  joining(): void {
    this.listed = new ListedQueue();
    this.awaitingSnapshot = true;
  }

  /** The join's snapshot: the ack's `queue`, `queueCount` and `queueVersion`. */
  joined(result: Pick<JoinResult, "queue" | "queueCount" | "queueVersion">): void {
    this.awaitingSnapshot = false;
    this.apply(snapshotChange(this.roomId, result.queue ?? [], result.queueCount ?? 0, result.queueVersion ?? 0));
  }

  /** A `queue:changed` patch. */
  apply(change: QueueChangedEvent): void {
    this.listed.apply(change);
    if (this.awaitingSnapshot) return;
    this.current = this.listed.questions;
    this.total = this.listed.count;
  }

  hasVoted(questionId: string): boolean {
    return this.voted.has(questionId);
  }

  /** Records a vote before it is sent (so the button disables at once). */
  markVoted(questionId: string): void {
    this.votes.add(this.roomId, questionId);
    this.voted = this.votes.of(this.roomId);
  }

  /** The vote was refused: allow it again. */
  unmarkVoted(questionId: string): void {
    this.votes.delete(this.roomId, questionId);
    this.voted = this.votes.of(this.roomId);
  }
}
