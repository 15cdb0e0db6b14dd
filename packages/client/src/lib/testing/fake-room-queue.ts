/** The fake server's question queue: votes once per client id, most votes first. Test-only. */
import type { QueuedQuestion, QueueUpdatedEvent } from "@tokencast/protocol";

export class FakeQueue {
  readonly questions = new Map<string, QueuedQuestion>();
  private readonly voters = new Map<string, Set<string>>();
  private nextId = 1;

  constructor(private readonly roomId: string) {}

  submit(text: string, author: string): QueuedQuestion {
    const question: QueuedQuestion = { id: `q${this.nextId++}`, roomId: this.roomId, text, author, createdAt: Date.now(), votes: 0 };
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
    }
    return question.votes;
  }

  take(questionId: string): QueuedQuestion | undefined {
    const question = this.questions.get(questionId);
    this.questions.delete(questionId);
    this.voters.delete(questionId);
    return question;
  }

  sorted(): QueuedQuestion[] {
    return [...this.questions.values()].sort((a, b) => b.votes - a.votes || a.createdAt - b.createdAt);
  }

  event(): QueueUpdatedEvent {
    return { roomId: this.roomId, questions: this.sorted().map((q) => ({ ...q })), count: this.questions.size };
  }
}
