import {
  moderates,
  type QuestionPayload,
  type QueueEditPayload,
  type QueueSubmitPayload,
  type SendResult,
  type SubmitResult,
} from "@tokencast/protocol";
import { requireAllowed } from "./access.ts";
import type { AnswerStarts } from "./answer-starts.ts";
import { AppError } from "./errors.ts";
import type { Membership } from "./membership.ts";
import type { Questions } from "./questions.ts";
import type { RoomLifetime } from "./room-lifetime.ts";

export interface QueueActionsDeps {
  membership: Membership;
  lifetime: RoomLifetime;
  questions: Questions;
  starts: AnswerStarts;
}

/**
 * A presentation's questions: the audience submits (to wait for approval when the room asks for
 * it) and votes (or takes a vote back); askers edit or withdraw their own (by voter id, as votes
 * count); owner and presenters approve; whoever may prompt sends, dismisses or restores.
 */
export class QueueActions {
  constructor(private readonly deps: QueueActionsDeps) {}

  async submit(connectionId: string, payload: QueueSubmitPayload): Promise<SubmitResult> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    const view = await this.deps.lifetime.memberView(payload.roomId);
    if (view.settings.mode !== "presentation") {
      throw new AppError(
        "forbidden",
        "Only presentations have a question queue; in a chat room, ask the model directly.",
      );
    }
    this.deps.starts.requireLength(payload.text);
    const asker = {
      voter: this.deps.membership.voterOf(connectionId),
      name: member.name,
      anonymous: payload.anonymous === true,
    };
    // Moderators' own questions need nobody's approval.
    const pending = view.settings.approveQuestions === true && !moderates(member.role);
    const question = await this.deps.questions.submit(
      payload.roomId,
      asker,
      payload.text,
      pending ? "pending" : "queue",
    );
    return { questionId: question.id, ...(pending ? { pending } : {}) };
  }

  /** Owner and presenters: a question waiting for approval joins the queue everyone sees. */
  async approve(connectionId: string, payload: QuestionPayload): Promise<void> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    if (!moderates(member.role))
      throw new AppError("forbidden", "Only the room's owner and presenters may approve questions.");
    await this.deps.questions.approve(payload.roomId, payload.questionId);
  }

  /** Whoever may prompt: an answered question goes back into the queue. */
  async restore(connectionId: string, payload: QuestionPayload): Promise<void> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    const view = await this.deps.lifetime.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "restore answered questions");
    await this.deps.questions.restore(payload.roomId, payload.questionId);
  }

  async unvote(connectionId: string, payload: QuestionPayload): Promise<{ votes: number }> {
    this.deps.membership.requireMember(connectionId, payload.roomId);
    const voter = this.deps.membership.voterOf(connectionId);
    return { votes: await this.deps.questions.unvote(payload.roomId, payload.questionId, voter) };
  }

  async edit(connectionId: string, payload: QueueEditPayload): Promise<void> {
    this.deps.membership.requireMember(connectionId, payload.roomId);
    this.deps.starts.requireLength(payload.text);
    const voter = this.deps.membership.voterOf(connectionId);
    await this.deps.questions.edit(payload.roomId, payload.questionId, voter, payload.text);
  }

  async withdraw(connectionId: string, payload: QuestionPayload): Promise<void> {
    this.deps.membership.requireMember(connectionId, payload.roomId);
    const voter = this.deps.membership.voterOf(connectionId);
    await this.deps.questions.withdraw(payload.roomId, payload.questionId, voter);
  }

  async vote(connectionId: string, payload: QuestionPayload): Promise<{ votes: number }> {
    this.deps.membership.requireMember(connectionId, payload.roomId);
    const voter = this.deps.membership.voterOf(connectionId);
    return { votes: await this.deps.questions.vote(payload.roomId, payload.questionId, voter) };
  }

  /** A presenter asks the model a queued question: `author` is who asked it, `sentBy` the presenter. */
  async send(connectionId: string, payload: QuestionPayload): Promise<SendResult> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    const view = await this.deps.lifetime.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "send queued questions to the model");
    this.deps.starts.requireTakingWork();
    const queued = await this.deps.questions.take(payload.roomId, payload.questionId);
    const payer = this.deps.membership.payerOf(connectionId, payload.roomId);
    const sent = await this.deps.starts
      .ask(
        payload.roomId,
        view,
        { author: queued.question.author, text: queued.question.text, sentBy: member.name },
        payer,
      )
      .catch(async (error: unknown) => {
        await this.deps.questions.putBack(queued);
        throw error;
      });
    await this.deps.questions.answered(queued);
    return sent;
  }

  async dismiss(connectionId: string, payload: QuestionPayload): Promise<void> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    const view = await this.deps.lifetime.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "dismiss queued questions");
    await this.deps.questions.dismiss(payload.roomId, payload.questionId);
  }
}
