import type { ErrorPayload } from "./errors.ts";

export const MESSAGE_STATUSES = ["pending", "streaming", "done", "stopped", "error", "interrupted"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Statuses after which a message never changes again. */
export const FINAL_STATUSES: readonly MessageStatus[] = ["done", "stopped", "error", "interrupted"];

export function isFinalStatus(status: MessageStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export type MessageRole = "user" | "assistant";

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

export interface Message {
  id: string;
  roomId: string;
  role: MessageRole;
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
  /** Why a `stopped` answer stopped when no member stopped it: nobody was in the room any more. */
  stopReason?: StopReason;
  /** Reasoning ("thinking") text some models stream apart from the answer; never part of `text`. */
  reasoning?: string;
  /** True when the answer came from the built-in demo model, not a real LLM. */
  demo?: boolean;
  /** A question from a presentation's queue: the presenter who sent it (`author` asked it). */
  sentBy?: string;
  /** An answer made by regenerating: the answer it replaces (which stays in the history). */
  regenerates?: string;
  /** Display name of whoever regenerated it. */
  regeneratedBy?: string;
  /**
   * An answer waiting for a free upstream slot (LLM_MAX_CONCURRENT on its node): the model has not
   * started on it. When it starts, the server sends the message again (`chat:message`) without it.
   */
  queued?: boolean;
  /** While queued: its place in the line for the LLM (1 = next), kept up to date. */
  queuePosition?: number;
  /**
   * The servers that continued this answer after the one running it died or handed it over, in
   * order (absent: it ran on one server). Its text reads on without a break.
   */
  continuedBy?: string[];
  /** An ended answer: when its text arrived, to replay it at its original pace (see AnswerTiming). */
  timing?: AnswerTiming;
}

/**
 * When an answer's text arrived: `[offsetMs, chars]` pairs, oldest first, where `chars` of its
 * text (UTF-16 code units, as `text.length`) had arrived `offsetMs` after the model was asked.
 * Both only grow; the last pair has the whole text. At most MAX_TIMING_POINTS pairs (a long
 * answer keeps every other point, as often as needed).
 */
export type AnswerTiming = Array<[offsetMs: number, chars: number]>;

export const MAX_TIMING_POINTS = 200;

/**
 * `nobody_watching`: the server stopped an answer of an ad-hoc room that everyone had left
 * (ABANDONED_ANSWER_GRACE_MS).
 */
export type StopReason = "nobody_watching";
