import type { Message } from "@tokencast/protocol";
import type { ChatTurn } from "../core/ports.ts";

export interface PromptOptions {
  systemPrompt?: string;
  /** Characters of history (system prompt excluded) sent upstream at most. */
  budgetChars: number;
}

/** Answers worth sending back as context: finished or cut short, with some text. */
const USABLE_ANSWER = new Set(["done", "stopped", "interrupted"]);

/**
 * The room's history as chat turns: the system prompt, then the most recent turns that fit the
 * budget, oldest first. The newest user turn is always sent (cut from its start if it alone is
 * over budget). Failed or empty answers are left out.
 */
export function buildTurns(history: Message[], options: PromptOptions): ChatTurn[] {
  const turns = history.filter(isUsable).map(toTurn);
  const kept: ChatTurn[] = [];
  let used = 0;
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    if (kept.length === 0) {
      const content = turn.content.slice(-options.budgetChars);
      kept.push({ ...turn, content });
      used += content.length;
      continue;
    }
    if (used + turn.content.length > options.budgetChars) break;
    kept.push(turn);
    used += turn.content.length;
  }
  kept.reverse();
  return options.systemPrompt ? [{ role: "system", content: options.systemPrompt }, ...kept] : kept;
}

function isUsable(message: Message): boolean {
  if (message.role === "user") return message.text.trim() !== "";
  return USABLE_ANSWER.has(message.status) && message.text.trim() !== "";
}

function toTurn(message: Message): ChatTurn {
  return { role: message.role, content: message.text };
}

const LABELS: Record<ChatTurn["role"], string> = { system: "System", user: "User", assistant: "Assistant" };

/** A plain transcript prompt for `/v1/completions`, ending where the assistant should speak. */
export function toCompletionPrompt(turns: ChatTurn[]): string {
  const lines = turns.map((turn) => `${LABELS[turn.role]}: ${turn.content}`);
  return `${lines.join("\n\n")}\n\nAssistant:`;
}
