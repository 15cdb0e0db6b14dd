/** Small display helpers shared by components. */
import type { ErrorPayload, Message, ModelState, Usage } from "@tokencast/protocol";

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/**
 * An error as members read it: the server's sentence, and how long to wait when the server said
 * (`retryAfter`, said here only). The code stays out of sight: it is for programs and logs.
 */
export function describeError(error: ErrorPayload | undefined): string {
  if (!error) return "The answer failed.";
  const retry = error.retryAfter ? ` Try again in about ${error.retryAfter} s.` : "";
  return `${error.message}${retry}`;
}

/** "1 vote", "2 votes": a count and its noun, singular for exactly one. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** What the compose box says under it: how to send, or why not now. */
export function composerHint(live: boolean, modelState: ModelState): string {
  if (!live) return "Waiting for the connection…";
  switch (modelState) {
    case "queued":
      return "An answer is waiting for the model: wait for it, or stop it.";
    case "thinking":
      return "The model is preparing an answer: wait for it, or stop it.";
    case "streaming":
      return "An answer is streaming: wait for it to finish, or stop it.";
    case "idle":
      return "Enter to send · Shift+Enter for a new line";
  }
}

/** The line shown under an answer waiting for a free slot on the LLM server. */
export function queuedLabel(message: Message): string {
  const place = message.queuePosition;
  return place
    ? `Waiting for the model: ${place === 1 ? "next in line" : `number ${place} in line`}…`
    : "Waiting for the model…";
}

/** The line shown under an answer that did not finish normally (or finished early). */
export function statusLabel(message: Message): string | undefined {
  switch (message.status) {
    case "pending":
      return "Waiting for the model…";
    case "stopped":
      if (message.stopReason === "nobody_watching") return "Stopped: everyone had left the room.";
      return message.stoppedBy ? `Stopped by ${message.stoppedBy}` : "Stopped";
    case "interrupted":
      return "Interrupted: the server streaming this answer went away. The text above is what arrived.";
    case "error":
      return describeError(message.error);
    case "done":
      return message.finishReason === "length" ? "Cut off: the answer reached the model's length limit." : undefined;
    default:
      return undefined;
  }
}

export function formatUsage(usage: Usage | undefined): string | undefined {
  if (!usage?.completionTokens) return undefined;
  return `${usage.completionTokens} tokens`;
}

export function initials(name: string): string {
  const letters = name
    .trim()
    .split(/\s+/)
    .map((word) => [...word][0] ?? "");
  return letters.slice(0, 2).join("").toUpperCase() || "?";
}

/** Text cut to `max` characters (with an ellipsis) for a one-line notice. */
export function shortened(text: string, max = 140): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
