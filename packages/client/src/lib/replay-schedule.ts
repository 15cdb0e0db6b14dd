/**
 * Where a replay of a finished answer stands: how much of its text shows how long after the
 * replay started, from the answer's timing (protocol's AnswerTiming: `[offsetMs, chars]` pairs).
 * Between two points the text grows evenly. A pause longer than MAX_REPLAY_GAP_MS (a model
 * loading, a slow first token) is replayed as that long; an answer without timing (older ones)
 * replays at STEADY_CHARS_PER_SECOND. Pure: no clock, no DOM.
 */
import type { AnswerTiming } from "@tokencast/protocol";

export const MAX_REPLAY_GAP_MS = 2000;
export const STEADY_CHARS_PER_SECOND = 80;

/** The answer's timing as a replay uses it: gaps capped, within the text, ending with all of it. */
export function replayPoints(text: string, timing: AnswerTiming | undefined): AnswerTiming {
  const points: AnswerTiming = [[0, 0]];
  let previousOffset = 0;
  for (const [offset, chars] of timing ?? []) {
    const [at, shown] = points.at(-1)!;
    if (!(offset >= previousOffset) || !(chars > shown)) continue; // also drops NaN and out-of-order points
    points.push([at + Math.min(offset - previousOffset, MAX_REPLAY_GAP_MS), Math.min(chars, text.length)]);
    previousOffset = offset;
    if (chars >= text.length) break;
  }
  const [at, shown] = points.at(-1)!;
  if (shown < text.length) points.push([at + ((text.length - shown) / STEADY_CHARS_PER_SECOND) * 1000, text.length]);
  return points;
}

/** How long the replay lasts, in ms. */
export function replayDuration(points: AnswerTiming): number {
  return points.at(-1)?.[0] ?? 0;
}

/** Characters of the text shown `elapsedMs` into the replay. */
export function charsAt(points: AnswerTiming, elapsedMs: number): number {
  const next = points.findIndex(([at]) => at > elapsedMs);
  if (next === -1) return points.at(-1)?.[1] ?? 0;
  if (next === 0) return 0;
  const [fromAt, fromChars] = points[next - 1]!;
  const [toAt, toChars] = points[next]!;
  return Math.floor(fromChars + ((toChars - fromChars) * (elapsedMs - fromAt)) / (toAt - fromAt));
}

/** The first `length` code units of `text`, never ending inside a surrogate pair. */
export function prefixOf(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  const cut = code >= 0xd800 && code <= 0xdbff ? length - 1 : length;
  return text.slice(0, cut);
}
