/**
 * The question a presentation is answering now: the newest question in the history, when it came
 * from the queue (a presenter sent it) — the one the projector highlights. Pure, testable.
 */
import type { Message } from "@tokencast/protocol";

export interface CurrentQuestion {
  question: Message;
  /** Its answer, once there is one. */
  answer: Message | undefined;
  /** The answer is still coming (pending or streaming). */
  live: boolean;
}

export function currentQuestion(messages: readonly Message[]): CurrentQuestion | undefined {
  const question = messages.findLast((m) => m.role === "user");
  if (!question || question.sentBy === undefined) return undefined;
  const answer = messages.findLast((m) => m.role === "assistant" && m.replyTo === question.id);
  const live = answer?.status === "pending" || answer?.status === "streaming";
  return { question, answer, live };
}
