/**
 * A presentation's question queue as this client sees it: the listed questions (most votes
 * first, then oldest), the total count, and which ones this person voted for. Votes are
 * remembered per room for the life of the tab (the server counts one vote per client id anyway).
 */
import type { QueuedQuestion, QueueUpdatedEvent } from "@tokencast/protocol";

/** Question ids voted for, by room: shared by every connection of this tab. */
export class VoteMemory {
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
export const tabVotes = new VoteMemory();

export class QuestionQueue {
  private current: QueuedQuestion[] = [];
  private total = 0;
  private voted: Set<string>;

  constructor(
    private readonly roomId: string,
    private readonly votes: VoteMemory = tabVotes,
  ) {
    this.voted = votes.of(roomId);
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

  /** A join snapshot or a `queue:updated`: replaces the list. */
  replace(questions: readonly QueuedQuestion[], count: number): void {
    this.current = sortQuestions(questions);
    this.total = Math.max(count, questions.length);
  }

  apply(event: QueueUpdatedEvent): void {
    this.replace(event.questions, event.count);
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

/** Most votes first, then oldest first (what the server sends; sorted again to be sure). */
export function sortQuestions(questions: readonly QueuedQuestion[]): QueuedQuestion[] {
  return [...questions].sort((a, b) => b.votes - a.votes || a.createdAt - b.createdAt);
}
