import type { QueuedQuestion } from "@tokencast/protocol";

/** Most votes first, then the oldest: the order presenters and audiences see. */
export function byVotesThenAge(a: QueuedQuestion, b: QueuedQuestion): number {
  return b.votes - a.votes || a.createdAt - b.createdAt || a.id.localeCompare(b.id);
}
