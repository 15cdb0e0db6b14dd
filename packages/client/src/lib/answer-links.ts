/**
 * Regenerated answers: a new answer (`regenerates` = the old answer's id) is appended at the end
 * of the history and the old one stays. This maps each replaced answer to its newest
 * replacement so the old one can link down and the new one up. Pure; recomputed per message list.
 */
import type { Message } from "@tokencast/protocol";

export interface AnswerLinks {
  /** Old answer id → the id of the answer that regenerated it. */
  replacedBy: ReadonlyMap<string, string>;
  /** The room's latest answer: the only one that may be regenerated (the server refuses others, `not_latest`). */
  latestAnswer: string | undefined;
}

export function answerLinks(messages: readonly Message[]): AnswerLinks {
  const known = new Set(messages.map((message) => message.id));
  const replacedBy = new Map<string, string>();
  for (const message of messages) {
    if (message.role === "assistant" && message.regenerates && known.has(message.regenerates)) {
      replacedBy.set(message.regenerates, message.id);
    }
  }
  return { replacedBy, latestAnswer: messages.findLast((message) => message.role === "assistant")?.id };
}

/** The DOM id of a message's element (its anchor). */
export function messageAnchor(messageId: string): string {
  return `message-${messageId}`;
}

/** Answers that a regenerate may target: ended ones (the server refuses a streaming answer). */
export function canRegenerate(message: Message): boolean {
  return message.role === "assistant" && message.status !== "pending" && message.status !== "streaming";
}
