import { randomUUID } from "node:crypto";
import type { Message, SendResult } from "@tokencast/protocol";
import type { Answers } from "./answers.ts";
import { AppError } from "./errors.ts";
import type { ActionBudget, AnswerSource, Broadcaster, ChatTurn, RoomStore } from "./ports.ts";
import type { Payer, TokenQuotas } from "./quotas.ts";
import { modelOf, type RoomCatalog, type RoomView } from "./room-catalog.ts";
import { turnsOf, type BuildTurns } from "./turns.ts";

/** What asking the model needs: the question's author and, from the queue, who sent it. */
export interface Question {
  author: string;
  text: string;
  sentBy?: string;
}

/** The ids a question and its answer get, when the caller chose them (a shared prompt's claim). */
export interface AnswerIds {
  messageId: string;
  replyId: string;
}

/** An answer asked for again: the old one, its question, the history up to it, and who asked. */
export interface Rerun {
  old: Message;
  questionId: string;
  conversation: Message[];
  by: string;
}

export interface AnswerStartsDeps {
  store: RoomStore;
  catalog: RoomCatalog;
  answers: Answers;
  source: AnswerSource;
  broadcaster: Broadcaster;
  buildTurns: BuildTurns;
  /** Token quotas per room and per person; absent: none. */
  quotas?: TokenQuotas | undefined;
  /** Answers a client IP may start (`rate_limited`); absent: no budget. */
  answerBudget?: ActionBudget | undefined;
  maxTextLength: number;
  now: () => number;
}

/**
 * How an answer starts, whoever asked: the node must be taking work, the question within length,
 * the payer within quota and budget, and the room free (one answer at a time: `busy`).
 */
export class AnswerStarts {
  private draining = false;

  constructor(private readonly deps: AnswerStartsDeps) {}

  /** Refuses new questions from now on (the node is shutting down). */
  stopTakingWork(): void {
    this.draining = true;
  }

  /** A question and the answer to it, from the room's conversation so far. */
  async ask(roomId: string, view: RoomView, question: Question, payer: Payer, ids?: AnswerIds): Promise<SendResult> {
    this.requireLength(question.text);
    this.requireTakingWork();
    await this.deps.quotas?.check(payer);
    const message: Message = {
      ...this.newMessage(roomId, "user", question.author, question.text),
      ...(question.sentBy ? { sentBy: question.sentBy } : {}),
      ...(ids ? { id: ids.messageId } : {}),
    };
    const answer = { ...this.newAnswer(roomId, message.id, view), ...(ids ? { id: ids.replyId } : {}) };
    await this.start(view, answer, [message], () => this.turnsFor(roomId, view), payer);
    return { messageId: message.id, replyId: answer.id };
  }

  /** A new answer to an ended answer's question, from the conversation up to that question. */
  async again(view: RoomView, rerun: Rerun, payer: Payer): Promise<{ replyId: string }> {
    this.requireTakingWork();
    await this.deps.quotas?.check(payer);
    const { old, questionId, by } = rerun;
    const answer = { ...this.newAnswer(old.roomId, questionId, view), regenerates: old.id, regeneratedBy: by };
    const turns = turnsOf(rerun.conversation, view.settings.systemPrompt, this.deps.buildTurns);
    await this.start(view, answer, [], async () => turns, payer);
    return { replyId: answer.id };
  }

  requireTakingWork(): void {
    if (this.draining) throw new AppError("server_shutdown", "This server is restarting; ask again in a moment.");
  }

  requireLength(text: string): void {
    const max = this.deps.maxTextLength;
    if (text.length > max) {
      throw new AppError("text_too_long", `Messages are limited to ${max} characters (this one has ${text.length}).`);
    }
  }

  /** Claims the room, publishes the new messages, and streams the answer (turns read after they are stored). */
  private async start(
    view: RoomView,
    answer: Message,
    before: Message[],
    turns: () => Promise<ChatTurn[]>,
    payer: Payer,
  ): Promise<void> {
    const { answers, store, catalog, broadcaster, quotas } = this.deps;
    await answers.claim(answer.roomId, answer.id);
    try {
      await this.spend(payer);
      for (const message of [...before, answer]) await store.addMessage(message);
      if (view.record) await catalog.touch(answer.roomId);
    } catch (error) {
      await answers.unclaim(answer.roomId, answer.id);
      throw error;
    }
    for (const message of [...before, answer]) broadcaster.message(message);
    answers.start(answer, turns(), view.settings.model, quotas && ((tokens) => quotas.charge(payer, tokens)));
  }

  /** An answer starts (after the room is claimed, so a `busy` room costs nothing): the asker's IP pays one. */
  private async spend(payer: Payer): Promise<void> {
    const waitMs = await this.deps.answerBudget?.spend(payer.user);
    if (waitMs === undefined) return;
    const retryAfter = Math.ceil(waitMs / 1000);
    throw new AppError(
      "rate_limited",
      `Your address has started as many answers as it may for now; ask again in ${retryAfter} s.`,
      { retryAfter },
    );
  }

  private newMessage(roomId: string, role: Message["role"], author: string, text: string): Message {
    return { id: randomUUID(), roomId, role, author, text, seq: 0, status: "done", createdAt: this.deps.now() };
  }

  private newAnswer(roomId: string, replyTo: string, view: RoomView): Message {
    const { demo } = this.deps.source;
    const model = modelOf(view.settings, this.deps.source);
    const answer = this.newMessage(roomId, "assistant", model, "");
    return { ...answer, status: "streaming", replyTo, model, ...(demo ? { demo } : {}) };
  }

  /** The conversation as stored, the question just added included (answers still streaming left out). */
  private async turnsFor(roomId: string, view: RoomView): Promise<ChatTurn[]> {
    const history = await this.deps.store.listMessages(roomId);
    return turnsOf(
      history.filter((m) => m.status !== "streaming"),
      view.settings.systemPrompt,
      this.deps.buildTurns,
    );
  }
}
