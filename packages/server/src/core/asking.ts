import type {
  Message,
  RegeneratePayload,
  ResumePayload,
  ResumeResult,
  SendPayload,
  SendResult,
  StopPayload,
} from "@tokencast/protocol";
import { isFinalStatus } from "@tokencast/protocol";
import { requireAllowed } from "./access.ts";
import type { AnswerStarts, Rerun } from "./answer-starts.ts";
import type { Answers } from "./answers.ts";
import { AppError } from "./errors.ts";
import type { Membership } from "./membership.ts";
import type { Cluster, Metrics, RoomStore } from "./ports.ts";
import type { RoomLifetime } from "./room-lifetime.ts";
import type { SharedPrompts } from "./shared-prompts.ts";
import type { TypingSignals } from "./typing-signals.ts";

export interface AskingDeps {
  membership: Membership;
  lifetime: RoomLifetime;
  starts: AnswerStarts;
  /** Ask-once: the room's answer to a shared prompt. */
  shared: SharedPrompts;
  answers: Answers;
  typing: TypingSignals;
  store: RoomStore;
  /** Other nodes, to reach the one running an answer; absent on a single node. */
  cluster?: Cluster | undefined;
  metrics?: Metrics | undefined;
}

/** What members do with answers: ask, stop one (on whichever node runs it), catch up on one, ask again. */
export class Asking {
  constructor(private readonly deps: AskingDeps) {}

  async send(connectionId: string, payload: SendPayload): Promise<SendResult> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    const view = await this.deps.lifetime.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "ask the model");
    this.deps.typing.stop(connectionId, payload.roomId);
    const payer = this.deps.membership.payerOf(connectionId, payload.roomId);
    const question = { author: member.name, text: payload.text };
    if (payload.shared) return this.deps.shared.ask(payload.roomId, view, question, payer);
    return this.deps.starts.ask(payload.roomId, view, question, payer);
  }

  /** Stops the answer here if this node runs it, else asks the node that does. */
  async stop(connectionId: string, payload: StopPayload): Promise<void> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    const view = await this.deps.lifetime.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayStop, member, "stop answers");
    const request = { roomId: payload.roomId, messageId: payload.messageId, by: member.name };
    if (this.deps.answers.stopLocal(request)) return;
    if (await this.deps.cluster?.requestStop(request)) return;
    await this.explainNotStreaming(payload.roomId, payload.messageId);
  }

  async resume(connectionId: string, payload: ResumePayload): Promise<ResumeResult> {
    this.deps.membership.requireMember(connectionId, payload.roomId);
    this.deps.metrics?.resync("resume");
    const message = await this.deps.store.getMessage(payload.roomId, payload.messageId);
    if (!message) throw new AppError("not_found", "No such message in this room.");
    const deltas = await this.deps.store.readDeltas(payload.roomId, payload.messageId, payload.afterSeq);
    return { deltas, status: message.status };
  }

  /**
   * A new answer to the question an ended answer replied to, from the conversation up to that
   * question. The old answer stays in the history; the new one names it (`regenerates`).
   */
  async regenerate(connectionId: string, payload: RegeneratePayload): Promise<{ replyId: string }> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    const view = await this.deps.lifetime.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "regenerate answers");
    const history = await this.deps.store.listMessages(payload.roomId);
    const rerun = rerunOf(history, payload.messageId, member.name);
    return this.deps.starts.again(view, rerun, this.deps.membership.payerOf(connectionId, payload.roomId));
  }

  private async explainNotStreaming(roomId: string, messageId: string): Promise<void> {
    const message = await this.deps.store.getMessage(roomId, messageId);
    if (!message) throw new AppError("not_found", "No such message in this room.");
    throw new AppError("not_streaming", `That answer is not streaming (it is ${message.status}).`);
  }
}

/** The ended answer `messageId` with its question and the history up to it; refused otherwise. */
function rerunOf(history: Message[], messageId: string, by: string): Rerun {
  const old = history.find((m) => m.id === messageId);
  if (old?.role !== "assistant" || !old.replyTo) throw new AppError("not_found", "No such answer in this room.");
  if (!isFinalStatus(old.status)) throw new AppError("busy", "That answer is still streaming; stop it first.");
  if (history.findLast((m) => m.role === "assistant") !== old)
    throw new AppError("not_latest", "Only the latest answer can be regenerated.");
  const questionIndex = history.findIndex((m) => m.id === old.replyTo);
  if (questionIndex < 0) throw new AppError("not_found", "The question of that answer is no longer in the history.");
  return { old, questionId: old.replyTo, conversation: history.slice(0, questionIndex + 1), by };
}
