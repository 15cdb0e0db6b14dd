import type { Message } from "./message.ts";
import type { ModelState } from "./rooms.ts";

/**
 * What the model is doing, derived from the room's messages (so every viewer, late or not,
 * agrees): "queued" while the answer waits for an upstream slot, "thinking" until its first
 * delta, "streaming" after, "idle" when no answer is in progress.
 */
export function modelStateOf(messages: readonly Message[]): ModelState {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== "assistant") continue;
    if (message.status !== "pending" && message.status !== "streaming") continue;
    if (message.queued) return "queued";
    return message.seq === 0 ? "thinking" : "streaming";
  }
  return "idle";
}
