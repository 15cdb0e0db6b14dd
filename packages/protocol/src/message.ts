export const MESSAGE_STATUSES = ["pending", "streaming", "done", "stopped", "error", "interrupted"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Statuses after which a message never changes again. */
export const FINAL_STATUSES: readonly MessageStatus[] = ["done", "stopped", "error", "interrupted"];

export function isFinalStatus(status: MessageStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export type Role = "user" | "assistant";

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

import type { ErrorPayload } from "./errors.ts";

export interface Message {
  id: string;
  roomId: string;
  role: Role;
  /** Display name of the person who wrote it; the model's name for assistant messages. */
  author: string;
  /** For an assistant answer: the concatenation of deltas 1..seq. */
  text: string;
  /** Last delta seq included in `text` (0 for user messages and answers with no delta yet). */
  seq: number;
  status: MessageStatus;
  /** For an assistant answer: the id of the user message it answers. */
  replyTo?: string;
  model?: string;
  /** Epoch milliseconds. */
  createdAt: number;
  error?: ErrorPayload;
  finishReason?: string;
  usage?: Usage;
  /** Display name of whoever stopped the answer. */
  stoppedBy?: string;
  /** Reasoning ("thinking") text some models stream apart from the answer; never part of `text`. */
  reasoning?: string;
  /** True when the answer came from the built-in demo model, not a real LLM. */
  demo?: boolean;
}

export interface Member {
  /** Socket id: one entry per connection, so the same name in two tabs shows twice. */
  id: string;
  name: string;
  joinedAt: number;
}

export interface RoomInfo {
  id: string;
  /** Model that answers in this room. */
  model: string;
  /** True when the built-in demo model answers (no LLM server configured). */
  demo: boolean;
  limits: { maxTextLength: number; maxNameLength: number };
}
