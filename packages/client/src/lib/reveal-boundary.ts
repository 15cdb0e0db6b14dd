/**
 * Where a partly revealed text may stop: at a word boundary (Intl.Segmenter, so scripts without
 * spaces are cut between words too), else at a grapheme boundary — never inside a word when one
 * is near, never inside a surrogate pair or an emoji sequence.
 */

export interface Segmenters {
  words: Intl.Segmenter;
  graphemes: Intl.Segmenter;
}

/** Null where Intl.Segmenter is missing (Firefox before 125): then cuts fall after spaces. */
const SEGMENTERS: Segmenters | null =
  typeof Intl.Segmenter === "function"
    ? { words: new Intl.Segmenter(undefined, { granularity: "word" }), graphemes: new Intl.Segmenter() }
    : null;

/** How far past the goal a word may run before the cut falls inside it (a URL, a long identifier). */
const WORD_LOOKAHEAD = 24;
/** Longer than any grapheme cluster met in practice (emoji ZWJ sequences are the longest). */
const GRAPHEME_LOOKAHEAD = 64;
/** Context before the goal that the segmenters see, so the boundaries near the goal are right. */
const LOOKBEHIND = 64;

/** The first boundary of `text` at or after `goal` (clamped to the text), starting no earlier than `from`. */
export function revealEnd(
  text: string,
  from: number,
  goal: number,
  segmenters: Segmenters | null = SEGMENTERS,
): number {
  if (goal >= text.length) return text.length;
  if (goal <= from) return from;
  if (!segmenters) return plainBoundary(text, goal);
  const start = Math.max(from, goal - LOOKBEHIND);
  return (
    boundaryAtOrAfter(segmenters.words, text, start, goal, WORD_LOOKAHEAD) ??
    boundaryAtOrAfter(segmenters.graphemes, text, start, goal, GRAPHEME_LOOKAHEAD) ??
    text.length
  );
}

function boundaryAtOrAfter(
  segmenter: Intl.Segmenter,
  text: string,
  start: number,
  goal: number,
  lookahead: number,
): number | undefined {
  const end = Math.min(text.length, goal + lookahead);
  for (const { index } of segmenter.segment(text.slice(start, end))) {
    if (start + index >= goal) return start + index;
  }
  // The slice's end is a boundary only when it is the text's end; otherwise it may cut a segment.
  return end === text.length ? end : undefined;
}

/** Without segmenters: at the next whitespace when it is near, else at the goal but not inside a surrogate pair. */
function plainBoundary(text: string, goal: number): number {
  const space = text.slice(goal, goal + WORD_LOOKAHEAD).search(/\s/);
  if (space >= 0) return goal + space;
  const before = text.charCodeAt(goal - 1);
  return before >= 0xd800 && before <= 0xdbff ? goal + 1 : goal;
}
