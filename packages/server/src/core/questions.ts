import { randomUUID } from "node:crypto";
import { ANONYMOUS_AUTHOR, MAX_LISTED_QUESTIONS, MAX_QUEUED_QUESTIONS, type QueuedQuestion } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import type { AskerChange, Broadcaster, ListedQuestions, Logger, QuestionQueue, TakenQuestion } from "./ports.ts";
import { PresenceThrottle } from "./presence-throttle.ts";
import { patchOf, QueueChanges } from "./queue-changes.ts";

/** Queue patches go out at most this often per room and node: a wave of votes costs a few small broadcasts. */
const QUEUE_INTERVAL_MS = 250;

export interface QuestionsDeps {
  queue: QuestionQueue;
  broadcaster: Broadcaster;
  logger: Logger;
  now: () => number;
}

/** Who asks: their voter id (who may edit or withdraw), their name, and whether to hide it. */
export interface Asker {
  voter: string;
  name: string;
  anonymous: boolean;
}

/**
 * A presentation's question queue: the audience submits, upvotes (and takes votes back), askers
 * edit or withdraw their own; presenters take questions out (to ask the model) or dismiss them
 * (the asker is told). Changes are broadcast (throttled) as `queue:changed`
 * patches to the first MAX_LISTED_QUESTIONS questions; the join ack carries the snapshot.
 */
export class Questions {
  private readonly throttle: PresenceThrottle;
  private readonly changes = new QueueChanges();
  /** Each room's last publication: the next one waits for it, so patches of one node go out in order. */
  private readonly publishing = new Map<string, Promise<void>>();
  /**
   * Questions asked on this node in the same millisecond still get distinct times, in order
   * (ties would order by random id).
   */
  private lastCreatedAt = 0;

  constructor(private readonly deps: QuestionsDeps) {
    this.throttle = new PresenceThrottle(
      () => QUEUE_INTERVAL_MS,
      (roomId) => this.publish(roomId),
    );
  }

  async submit(roomId: string, asker: Asker, text: string): Promise<QueuedQuestion> {
    this.lastCreatedAt = Math.max(this.deps.now(), this.lastCreatedAt + 1);
    const question: QueuedQuestion = {
      id: randomUUID(),
      roomId,
      text,
      // An anonymous asker's name is not kept anywhere: nobody can let it out.
      author: asker.anonymous ? ANONYMOUS_AUTHOR : asker.name,
      ...(asker.anonymous ? { anonymous: true } : {}),
      createdAt: this.lastCreatedAt,
      votes: 0,
      rev: 0,
    };
    if (!(await this.deps.queue.submit(question, MAX_QUEUED_QUESTIONS, asker.voter))) {
      throw new AppError(
        "queue_full",
        `The queue already holds ${MAX_QUEUED_QUESTIONS} questions; upvote one instead.`,
      );
    }
    this.changed(roomId, question.id);
    return question;
  }

  async vote(roomId: string, questionId: string, voterId: string): Promise<number> {
    const votes = await this.deps.queue.vote(roomId, questionId, voterId);
    if (votes === undefined) throw gone();
    this.changed(roomId, questionId);
    return votes;
  }

  async unvote(roomId: string, questionId: string, voterId: string): Promise<number> {
    const votes = await this.deps.queue.unvote(roomId, questionId, voterId);
    if (votes === undefined) throw gone();
    this.changed(roomId, questionId);
    return votes;
  }

  /** The asker's new wording of their question, still in the queue. */
  async edit(roomId: string, questionId: string, voter: string, text: string): Promise<void> {
    requireDone(await this.deps.queue.edit(roomId, questionId, voter, text));
    this.changed(roomId, questionId);
  }

  /** The asker takes their question back out of the queue. */
  async withdraw(roomId: string, questionId: string, voter: string): Promise<void> {
    requireDone(await this.deps.queue.withdraw(roomId, questionId, voter));
    this.removed(roomId, questionId);
  }

  /** Takes a question out of the queue (exactly one presenter gets it). */
  async take(roomId: string, questionId: string): Promise<TakenQuestion> {
    const taken = await this.deps.queue.take(roomId, questionId);
    if (!taken) throw gone();
    this.removed(roomId, questionId);
    return taken;
  }

  /** A presenter drops a question: it leaves the queue and its asker (only) is told. */
  async dismiss(roomId: string, questionId: string): Promise<void> {
    const { question, asker } = await this.take(roomId, questionId);
    this.deps.broadcaster.questionDismissed({ roomId, questionId, text: question.text }, asker);
  }

  /** Puts a taken question back (its answer could not start); its votes start over. */
  async putBack({ question, asker }: TakenQuestion): Promise<void> {
    await this.deps.queue.submit({ ...question, votes: 0 }, MAX_QUEUED_QUESTIONS, asker).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, roomId: question.roomId }, "could not put a question back in the queue");
    });
    this.changed(question.roomId, question.id);
  }

  list(roomId: string): Promise<ListedQuestions> {
    return this.deps.queue.list(roomId, MAX_LISTED_QUESTIONS);
  }

  dispose(): void {
    this.throttle.dispose();
    this.changes.clear();
  }

  private changed(roomId: string, questionId: string): void {
    this.changes.changed(roomId, questionId);
    this.throttle.changed(roomId);
  }

  private removed(roomId: string, questionId: string): void {
    this.changes.removed(roomId, questionId);
    this.throttle.changed(roomId);
  }

  private publish(roomId: string): void {
    const previous = this.publishing.get(roomId) ?? Promise.resolve();
    const next = previous.then(() => this.publishNow(roomId));
    this.publishing.set(roomId, next);
    void next.finally(() => {
      if (this.publishing.get(roomId) === next) this.publishing.delete(roomId);
    });
  }

  private async publishNow(roomId: string): Promise<void> {
    const pending = this.changes.take(roomId);
    if (!pending) return;
    try {
      this.deps.broadcaster.queue(patchOf(roomId, pending, await this.list(roomId)));
    } catch (error) {
      // Members keep the list they have until the next change (a later patch, or a rejoin's snapshot).
      this.deps.logger.warn({ err: error, roomId }, "could not publish the question queue");
    }
  }
}

function requireDone(change: AskerChange): void {
  if (change === "not_yours") throw new AppError("forbidden", "Only who asked a question may edit or withdraw it.");
  if (change === "gone") throw gone();
}

function gone(): AppError {
  return new AppError("not_found", "That question is no longer in the queue (it was sent or dismissed).");
}
