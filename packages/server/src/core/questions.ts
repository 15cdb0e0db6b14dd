import { randomUUID } from "node:crypto";
import { ANONYMOUS_AUTHOR, MAX_LISTED_QUESTIONS, MAX_QUEUED_QUESTIONS, type QueuedQuestion } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import type { AskerChange, Broadcaster, ListedQuestions, Logger, QuestionQueue, TakenQuestion } from "./ports.ts";
import { PresenceThrottle } from "./presence-throttle.ts";
import { listKey, parseListKey, type QuestionList } from "./question-lists.ts";
import { patchOf, QueueChanges } from "./queue-changes.ts";

/** Queue patches go out at most this often per room, list and node: a wave of votes costs a few small broadcasts. */
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
 * A presentation's questions (see question-lists.ts): the audience submits (straight to the queue,
 * or to wait for approval), upvotes (and takes votes back); askers edit or withdraw their own;
 * presenters approve, take questions out (to ask the model: they move to the answered list),
 * restore answered ones, or dismiss (the asker is told). Changes go out throttled, per list, as
 * patches to the first MAX_LISTED_QUESTIONS questions; the join ack carries the snapshots.
 */
export class Questions {
  private readonly throttle: PresenceThrottle;
  /** Keyed by list key (question-lists.ts). */
  private readonly changes = new QueueChanges();
  /** Each list's last publication: the next one waits for it, so patches of one node go out in order. */
  private readonly publishing = new Map<string, Promise<void>>();
  /**
   * Questions asked on this node in the same millisecond still get distinct times, in order
   * (ties would order by random id).
   */
  private lastCreatedAt = 0;

  constructor(private readonly deps: QuestionsDeps) {
    this.throttle = new PresenceThrottle(
      () => QUEUE_INTERVAL_MS,
      (key) => this.publish(key),
    );
  }

  async submit(roomId: string, asker: Asker, text: string, list: "queue" | "pending"): Promise<QueuedQuestion> {
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
    if (
      !(await this.deps.queue.submit({ ...question, roomId: listKey(roomId, list) }, MAX_QUEUED_QUESTIONS, asker.voter))
    )
      throw full();
    this.changed(roomId, list, question.id);
    return question;
  }

  async vote(roomId: string, questionId: string, voterId: string): Promise<number> {
    const votes = await this.deps.queue.vote(roomId, questionId, voterId);
    if (votes === undefined) throw gone();
    this.changed(roomId, "queue", questionId);
    return votes;
  }

  async unvote(roomId: string, questionId: string, voterId: string): Promise<number> {
    const votes = await this.deps.queue.unvote(roomId, questionId, voterId);
    if (votes === undefined) throw gone();
    this.changed(roomId, "queue", questionId);
    return votes;
  }

  /** The asker's new wording of their question, in the queue or waiting for approval. */
  async edit(roomId: string, questionId: string, voter: string, text: string): Promise<void> {
    const list = await this.firstDone(roomId, (key) => this.deps.queue.edit(key, questionId, voter, text));
    this.changed(roomId, list, questionId);
  }

  /** The asker takes their question back out (of the queue, or of those waiting for approval). */
  async withdraw(roomId: string, questionId: string, voter: string): Promise<void> {
    const list = await this.firstDone(roomId, (key) => this.deps.queue.withdraw(key, questionId, voter));
    this.removed(roomId, list, questionId);
  }

  /** Takes a question out of a list (exactly one presenter gets it). */
  async take(roomId: string, questionId: string, list: QuestionList = "queue"): Promise<TakenQuestion> {
    const taken = await this.deps.queue.take(listKey(roomId, list), questionId);
    if (!taken) throw gone();
    this.removed(roomId, list, questionId);
    return { ...taken, question: { ...taken.question, roomId } };
  }

  /** A presenter drops a question (queued, or waiting for approval): it leaves, and its asker (only) is told. */
  async dismiss(roomId: string, questionId: string): Promise<void> {
    const { question, asker } = await this.take(roomId, questionId).catch(() =>
      this.take(roomId, questionId, "pending"),
    );
    this.deps.broadcaster.questionDismissed({ roomId, questionId, text: question.text }, asker);
  }

  /** A question waiting for approval joins the queue everyone sees. */
  async approve(roomId: string, questionId: string): Promise<void> {
    await this.move(await this.take(roomId, questionId, "pending"), "queue");
  }

  /** A question the model was asked goes to the answered list (from where a presenter may restore it). */
  async answered(taken: TakenQuestion): Promise<void> {
    await this.move(taken, "answered");
  }

  /** An answered question goes back into the queue; its votes start over. */
  async restore(roomId: string, questionId: string): Promise<void> {
    await this.move(await this.take(roomId, questionId, "answered"), "queue");
  }

  /** Puts a taken question back (its answer could not start); its votes start over. */
  async putBack(taken: TakenQuestion): Promise<void> {
    await this.move(taken, "queue");
  }

  /** The first MAX_LISTED_QUESTIONS of the room's `list` (most votes, then oldest). */
  async list(roomId: string, list: QuestionList = "queue"): Promise<ListedQuestions> {
    const listed = await this.deps.queue.list(listKey(roomId, list), MAX_LISTED_QUESTIONS);
    return { ...listed, questions: listed.questions.map((question) => ({ ...question, roomId })) };
  }

  dispose(): void {
    this.throttle.dispose();
    this.changes.clear();
  }

  /** Into `list` with its votes starting over; a full list keeps its questions (the move is logged and dropped). */
  private async move({ question, asker }: TakenQuestion, list: QuestionList): Promise<void> {
    const moved = { ...question, roomId: listKey(question.roomId, list), votes: 0 };
    const stored = await this.deps.queue.submit(moved, MAX_QUEUED_QUESTIONS, asker).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, roomId: question.roomId, list }, "could not move a question");
      return true;
    });
    if (!stored) this.deps.logger.warn({ roomId: question.roomId, list }, "a question list is full: question dropped");
    this.changed(question.roomId, list, question.id);
  }

  /** Runs an asker's change on the queue, then (when the question is not there) on the pending list. */
  private async firstDone(roomId: string, change: (key: string) => Promise<AskerChange>): Promise<QuestionList> {
    for (const list of ["queue", "pending"] as const) {
      const outcome = await change(listKey(roomId, list));
      if (outcome === "not_yours")
        throw new AppError("forbidden", "Only who asked a question may edit or withdraw it.");
      if (outcome === "done") return list;
    }
    throw gone();
  }

  private changed(roomId: string, list: QuestionList, questionId: string): void {
    this.changes.changed(listKey(roomId, list), questionId);
    this.throttle.changed(listKey(roomId, list));
  }

  private removed(roomId: string, list: QuestionList, questionId: string): void {
    this.changes.removed(listKey(roomId, list), questionId);
    this.throttle.changed(listKey(roomId, list));
  }

  private publish(key: string): void {
    const previous = this.publishing.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.publishNow(key));
    this.publishing.set(key, next);
    void next.finally(() => {
      if (this.publishing.get(key) === next) this.publishing.delete(key);
    });
  }

  private async publishNow(key: string): Promise<void> {
    const pending = this.changes.take(key);
    if (!pending) return;
    const { roomId, list } = parseListKey(key);
    try {
      this.deps.broadcaster.queue(patchOf(roomId, pending, await this.list(roomId, list)), list);
    } catch (error) {
      // Members keep the list they have until the next change (a later patch, or a rejoin's snapshot).
      this.deps.logger.warn({ err: error, roomId, list }, "could not publish a question list");
    }
  }
}

function full(): AppError {
  return new AppError("queue_full", `The queue already holds ${MAX_QUEUED_QUESTIONS} questions; upvote one instead.`);
}

function gone(): AppError {
  return new AppError("not_found", "That question is no longer in the queue (it was sent or dismissed).");
}
