/**
 * What the room's polite live region says: a line when the latest answer changes phase (waiting
 * in line, with its place; thinking; started; finished, stopped or failed), never its tokens.
 */
import type { Message } from "@tokencast/protocol";
import { describeError, queuedLabel } from "./format.ts";

/** The answer a listener follows: the latest one in the room. */
export function latestAnswer(messages: readonly Message[]): Message | undefined {
  return messages.findLast((message) => message.role === "assistant");
}

/** The sentence for the phase `answer` is in. */
export function phaseLine(answer: Message): string {
  switch (answer.status) {
    case "done":
      return "Answer finished.";
    case "stopped":
      return answer.stoppedBy ? `Answer stopped by ${answer.stoppedBy}.` : "Answer stopped.";
    case "interrupted":
      return "Answer interrupted.";
    case "error":
      return `Answer failed. ${describeError(answer.error)}`;
    default:
      if (answer.queued) return queuedLabel(answer);
      return answer.text === "" ? "The model is thinking." : "Answer started.";
  }
}

/**
 * The line to announce when the latest answer went from `before` to `after`; undefined when its
 * phase did not change (a token more is no news) or there is no answer.
 */
export function announcement(before: Message | undefined, after: Message | undefined): string | undefined {
  if (!after) return undefined;
  const line = phaseLine(after);
  const previous = before?.id === after.id ? phaseLine(before) : undefined;
  return line === previous ? undefined : line;
}
