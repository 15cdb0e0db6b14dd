import type { Message } from "@tokencast/protocol";
import type { ChatTurn } from "./ports.ts";

/** Turns the room's history (oldest first, ending with the question) into what goes upstream. */
export type BuildTurns = (history: Message[], systemPrompt: string | undefined) => ChatTurn[];

/** The conversation upstream: answers replaced by a regenerated one are left out. */
export function turnsOf(history: Message[], systemPrompt: string | undefined, buildTurns: BuildTurns): ChatTurn[] {
  const replaced = new Set(history.flatMap((m) => (m.regenerates ? [m.regenerates] : [])));
  return buildTurns(
    history.filter((m) => !replaced.has(m.id)),
    systemPrompt,
  );
}
