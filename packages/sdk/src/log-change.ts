/** What a `RoomLog` reports as it goes: the changes a consumer replays to build its own view. */
import type { EndEvent, Message } from "@tokencast/protocol";

/** How the consumer's view changed, in order: replaying the changes rebuilds `list()`'s texts. */
export type LogChange =
  /** New, or replaced whole (not an append of what was reported): set it. */
  | { type: "message"; message: Message }
  /** The text grew by `text` and now covers deltas 1..seq: append it. */
  | { type: "delta"; messageId: string; seq: number; text: string }
  /** Now final; `message` is its final state (its text is what the changes before built). */
  | { type: "end"; message: Message; end: EndEvent }
  /** Reasoning text grew by `text` (cosmetic, apart from the answer's text). */
  | { type: "reasoning"; messageId: string; text: string };

export interface LogStats {
  deltasApplied: number;
  duplicatesIgnored: number;
  gapsDetected: number;
  resumes: number;
}

export interface RoomLogOptions {
  /** Counters to update (shared with the caller's own, e.g. a connection's). */
  stats?: LogStats;
  /** Called with each change as soon as the log's state reflects it. */
  onChange?: (change: LogChange) => void;
  /**
   * False for a consumer that builds the texts itself from the changes (a stream forwarding them):
   * the log then keeps no text or reasoning, only messages in progress and the ids of finished
   * ones (`list()` holds messages in progress, with empty texts), and only `message` changes
   * carry texts. Default true.
   */
  keepTexts?: boolean;
}

export function emptyStats(): LogStats {
  return { deltasApplied: 0, duplicatesIgnored: 0, gapsDetected: 0, resumes: 0 };
}
