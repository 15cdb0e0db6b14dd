/**
 * The fake server's question queue: votes once per voter, most votes first; every change goes
 * out as a complete `queue:changed` (the real server's small patches are tested with it). Test-only.
 */
import { byVotesThenAge, type QueueChangedEvent, type QueuedQuestion } from "@tokencast/protocol";

export class FakeQueue {
  readonly questions = new Map<string, QueuedQuestion>();
  private readonly voters = new Map<string, Set<string>>();
  private nextId = 1;
  private version = 0;

  constructor(private readonly roomId: string) {}

  submit(text: string, author: string): QueuedQuestion {
    const question: QueuedQuestion = {
      id: `q${this.nextId++}`,
      roomId: this.roomId,
      text,
      author,
      createdAt: Date.now(),
      votes: 0,
      rev: ++this.version,
    };
    this.questions.set(question.id, question);
    this.voters.set(question.id, new Set());
    return question;
  }

  /** Counts a vote once per voter; `undefined` for an unknown question. */
  vote(questionId: string, voter: string): number | undefined {
    const question = this.questions.get(questionId);
    const voters = this.voters.get(questionId);
    if (!question || !voters) return undefined;
    if (!voters.has(voter)) {
      voters.add(voter);
      question.votes++;
      question.rev = ++this.version;
    }
    return question.votes;
  }

  take(questionId: string): QueuedQuestion | undefined {
    const question = this.questions.get(questionId);
    this.questions.delete(questionId);
    this.voters.delete(questionId);
    this.version++;
    return question;
  }

  sorted(): QueuedQuestion[] {
    return [...this.questions.values()].sort(byVotesThenAge);
  }

  /** The whole list at this version (a join's snapshot, or a complete patch). */
  event(): QueueChangedEvent {
    const upserts = this.sorted().map((q) => ({ ...q }));
    return {
      roomId: this.roomId,
      upserts,
      removed: [],
      complete: true,
      count: this.questions.size,
      version: this.version,
    };
  }
}
