/** Small display helpers shared by components. */
import type { ErrorPayload, Message, Usage } from "@tokencast/protocol";

export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function describeError(error: ErrorPayload | undefined): string {
  if (!error) return "The answer failed.";
  const retry = error.retryAfter ? ` Try again in about ${error.retryAfter} s.` : "";
  return `${error.message}${retry}`;
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
