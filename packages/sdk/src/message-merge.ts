/**
 * Pure helpers for merging two views of one message (a snapshot or a `chat:message` against what
 * this client already holds) and for keeping a message list in order. No I/O, no framework.
 */
import { isFinalStatus } from "@tokencast/protocol";
import type { EndEvent, Message } from "@tokencast/protocol";

/** Fields that `chat:end` sets once an answer is over. */
const END_FIELDS = ["error", "finishReason", "usage", "stoppedBy", "stopReason", "timing"] as const;

/**
 * Merges what the server says about a message with what this client holds. The incoming copy
 * wins, except where the local one is provably newer: a higher seq keeps the local text (deltas
 * arrived after the server read its snapshot), and a local final status beats a non-final one
 * (the `chat:end` arrived after the snapshot was read). Reasoning keeps the longer of the two.
 */
export function mergeMessage(local: Message, incoming: Message): Message {
  const merged: Message = { ...incoming };
  if (local.seq > incoming.seq) {
    merged.text = local.text;
    merged.seq = local.seq;
  }
  if (isFinalStatus(local.status) && !isFinalStatus(incoming.status)) copyEndFields(merged, local);
  if ((local.reasoning?.length ?? 0) > (incoming.reasoning?.length ?? 0)) merged.reasoning = local.reasoning;
  return merged;
}

function copyEndFields(target: Message, source: Message): void {
  target.status = source.status;
  for (const field of END_FIELDS) {
    if (source[field] !== undefined) Object.assign(target, { [field]: source[field] });
  }
}

/** The message with the end event's status and details applied; text and seq are untouched. */
export function finalizeMessage(message: Message, end: EndEvent): Message {
  const next: Message = { ...message, status: end.status };
  for (const field of END_FIELDS) {
    if (end[field] !== undefined) Object.assign(next, { [field]: end[field] });
  }
  return next;
}

/** True when two copies of a message agree on every field (`usage` and `error` by value). */
export function sameMessage(a: Message, b: Message): boolean {
  if (a === b) return true;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof Message>);
  return [...keys].every((key) => a[key] === b[key] || JSON.stringify(a[key]) === JSON.stringify(b[key]));
}

/** The `chat:end` a consumer would have received for a message that ended. */
export function endOf(message: Message): EndEvent {
  const { id, roomId, seq, status } = message;
  const end: EndEvent = { roomId, messageId: id, seq, status };
  for (const field of END_FIELDS) {
    if (message[field] !== undefined) Object.assign(end, { [field]: message[field] });
  }
  return end;
}

/** The message with one more delta appended. */
export function appendDelta(message: Message, seq: number, text: string): Message {
  return { ...message, text: message.text + text, seq };
}

/**
 * Where to insert a message with `createdAt` into `order` (ids, oldest first), given a lookup:
 * after the last message created at or before it, so equal timestamps keep arrival order.
 */
export function insertionIndex(
  order: readonly string[],
  createdAt: number,
  lookup: (id: string) => Message | undefined,
): number {
  for (let i = order.length - 1; i >= 0; i--) {
    const other = lookup(order[i] ?? "");
    if (other && other.createdAt <= createdAt) return i + 1;
  }
  return 0;
}
