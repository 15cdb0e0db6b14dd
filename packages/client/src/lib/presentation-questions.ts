/**
 * What a presentation keeps beside its queue: the answered questions (everyone), the questions
 * waiting for approval (sent to owner and presenters only), and this person's own questions still
 * waiting for approval (only the asker's tab knows them: nobody else is sent them).
 */
import type { JoinResult, QueueChangedEvent, QuestionsSnapshot } from "@tokencast/protocol";
import { QuestionIdMemory, QuestionQueue } from "./question-queue.ts";

export interface AwaitingQuestion {
  id: string;
  text: string;
}

const EMPTY: QuestionsSnapshot = { questions: [], count: 0, version: 0 };

export class PresentationQuestions {
  readonly answered: QuestionQueue;
  readonly pending: QuestionQueue;
  private awaiting: AwaitingQuestion[] = [];

  constructor(roomId: string) {
    // Nobody votes on, or edits from, these lists: their memories stay empty.
    this.answered = new QuestionQueue(roomId, new QuestionIdMemory(), new QuestionIdMemory());
    this.pending = new QuestionQueue(roomId, new QuestionIdMemory(), new QuestionIdMemory());
  }

  /** This person's questions waiting for approval, oldest first; a new array after each change. */
  get awaitingApproval(): readonly AwaitingQuestion[] {
    return this.awaiting;
  }

  joining(): void {
    this.answered.joining();
    this.pending.joining();
  }

  joined(result: Pick<JoinResult, "answered" | "pending">): void {
    this.answered.joined(asJoinFields(result.answered ?? EMPTY));
    this.pending.joined(asJoinFields(result.pending ?? EMPTY));
  }

  /** This person's question went to wait for approval. */
  submitted(question: AwaitingQuestion): void {
    this.awaiting = [...this.awaiting, question];
  }

  /** A queue patch: an awaited question that shows in it was approved. */
  queueChanged(change: QueueChangedEvent): void {
    for (const question of change.upserts) this.settled(question.id);
  }

  /** An awaited question was approved, dismissed or withdrawn: it waits no more. */
  settled(questionId: string): void {
    if (this.awaiting.some((question) => question.id === questionId))
      this.awaiting = this.awaiting.filter((question) => question.id !== questionId);
  }
}

function asJoinFields(snapshot: QuestionsSnapshot): Pick<JoinResult, "queue" | "queueCount" | "queueVersion"> {
  return { queue: snapshot.questions, queueCount: snapshot.count, queueVersion: snapshot.version };
}
