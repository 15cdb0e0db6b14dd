/**
 * Which messages a join snapshot or a `room:history` page carries: the newest that fit a byte
 * budget and a count, so that one request can never make the node send a room's whole history.
 * Pure: both stores apply it to what they read.
 */
import { isFinalStatus, type Message } from "@tokencast/protocol";

export interface HistoryBudget {
  /** Most messages in one page (an answer in progress comes on top of it). */
  maxMessages: number;
  /** Most bytes of the page's messages as UTF-8 JSON. */
  maxBytes: number;
}

export interface HistoryPage {
  /** Oldest first. */
  messages: Message[];
  /** Older messages exist before the page. */
  more: boolean;
}

/** What a page asks for: the newest messages, or those just before the message `before`. */
export interface HistoryRequest extends HistoryBudget {
  before?: string | undefined;
}

/** The bytes a message takes in an ack: its JSON, as UTF-8. */
export function messageBytes(message: Message): number {
  return Buffer.byteLength(JSON.stringify(message));
}

/**
 * The newest of `messages` (oldest first) within the budget. The newest message always comes,
 * even when it alone is over the budget (paging must progress), and so does an answer in
 * progress (a joiner must see it whole); everything else stops at the first that does not fit.
 */
export function newestWithin(messages: readonly Message[], budget: HistoryBudget): HistoryPage {
  let bytes = 0;
  let start = messages.length;
  while (start > 0) {
    const message = messages[start - 1]!;
    const size = messageBytes(message);
    if (!mustCome(message, messages.length - start) && !fits(messages.length - start, bytes + size, budget)) break;
    bytes += size;
    start -= 1;
  }
  return { messages: messages.slice(start), more: start > 0 };
}

/** The part of the history a request's page is taken from; undefined when `before` is not in it. */
export function historyBefore(
  messages: readonly Message[],
  before: string | undefined,
): readonly Message[] | undefined {
  if (before === undefined) return messages;
  const index = messages.findIndex((m) => m.id === before);
  return index < 0 ? undefined : messages.slice(0, index);
}

function mustCome(message: Message, taken: number): boolean {
  return taken === 0 || !isFinalStatus(message.status);
}

function fits(taken: number, bytes: number, budget: HistoryBudget): boolean {
  return taken < budget.maxMessages && bytes <= budget.maxBytes;
}
