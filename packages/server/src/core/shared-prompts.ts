import { createHash, randomUUID } from "node:crypto";
import { normalisePrompt, type Message, type SendResult } from "@tokencast/protocol";
import type { AnswerStarts, Question } from "./answer-starts.ts";
import type { PromptClaim, RoomStore } from "./ports.ts";
import type { Payer } from "./quotas.ts";
import type { RoomView } from "./room-catalog.ts";

/**
 * A claim whose question is still not in the history this long after it was made was abandoned
 * (its asker's node died between claiming and storing); storing takes milliseconds.
 */
export const CLAIM_SETTLE_MS = 15_000;

/** Answers that do not count as the room's answer to a prompt: the next reader asks again. */
const FAILED: ReadonlySet<Message["status"]> = new Set(["error", "interrupted"]);

/** Failed, or cut short because its reader left (an ad-hoc room's abandoned answer): not the room's answer. */
function unfinished(answer: Message): boolean {
  return FAILED.has(answer.status) || answer.stopReason === "nobody_watching";
}

export interface SharedPromptsDeps {
  store: RoomStore;
  starts: AnswerStarts;
  now: () => number;
}

/** The key of a prompt: its normalised text (protocol's normalisePrompt), hashed. */
export function promptKey(text: string): string {
  return createHash("sha256").update(normalisePrompt(text)).digest("base64url");
}

/**
 * Ask-once (`chat:send` with `shared`): the room's answer to a prompt belongs to the room. The
 * first asker claims the prompt atomically in the store (across nodes) and asks; everyone after
 * gets that question and answer back (`shared: true`) and nothing is asked or paid again. A claim
 * whose answer failed or was stopped because everyone left, or that never got stored, is replaced;
 * one whose answer could not start (busy, over a quota) is given back at once.
 */
export class SharedPrompts {
  constructor(private readonly deps: SharedPromptsDeps) {}

  async ask(roomId: string, view: RoomView, question: Question, payer: Payer): Promise<SendResult> {
    this.deps.starts.requireLength(question.text);
    const key = promptKey(question.text);
    const mine: PromptClaim = { messageId: randomUUID(), replyId: randomUUID(), claimedAt: this.deps.now() };
    let holder = await this.deps.store.claimPrompt(roomId, key, mine);
    if (holder.messageId !== mine.messageId && (await this.isStale(roomId, holder))) {
      holder = await this.deps.store.claimPrompt(roomId, key, mine, holder);
    }
    if (holder.messageId !== mine.messageId)
      return { messageId: holder.messageId, replyId: holder.replyId, shared: true };
    try {
      return await this.deps.starts.ask(roomId, view, question, payer, mine);
    } catch (error) {
      await this.deps.store.releasePrompt(roomId, key, mine);
      throw error;
    }
  }

  private async isStale(roomId: string, claim: PromptClaim): Promise<boolean> {
    const answer = await this.deps.store.getMessage(roomId, claim.replyId);
    if (answer) return unfinished(answer);
    return this.deps.now() - claim.claimedAt > CLAIM_SETTLE_MS;
  }
}
