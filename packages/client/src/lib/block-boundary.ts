/**
 * Where a lexed, still-growing Markdown text can be cut: the blocks before the cut are finished,
 * meaning no text appended later can change them or make them merge with what follows.
 *
 * A cut before block B (after block A) is safe when
 *   - B's first line is complete (a half-typed line may still turn out to continue A:
 *     "2" after a list may become "2. item"), and
 *   - A cannot grow: it is a heading, a rule or a fenced code block (closed, since more follows),
 *     or a blank line separates A from B (paragraphs, tables and quotes end there; lists and
 *     indented code may go on past blank lines, but only with lines that B's complete first
 *     line has already ruled out),
 * and every cut before it is safe as well.
 * The unit tests check this against rendering the whole text for every split point.
 */
import type { Token } from "marked";

/** True when `text` (up to `end`) ends with a blank line: two newlines with only spaces or tabs around them. */
export function endsWithBlankLine(text: string, end = text.length): boolean {
  let index = skipBlanks(text, end - 1);
  if (text[index] !== "\n") return false;
  index = skipBlanks(text, index - 1);
  return text[index] === "\n";
}

function skipBlanks(text: string, from: number): number {
  let index = from;
  while (index >= 0 && (text[index] === " " || text[index] === "\t")) index -= 1;
  return index;
}

function cannotGrow(token: Token | undefined): boolean {
  if (token === undefined) return false;
  if (token.type === "heading" || token.type === "hr") return true;
  return token.type === "code" && token.codeBlockStyle !== "indented";
}

function rawLength(tokens: readonly Token[]): number {
  return tokens.reduce((sum, token) => sum + token.raw.length, 0);
}

/**
 * How many leading `tokens` (the block tokens of `source`, whose raws concatenate to it) are
 * finished. Returns 0 when the raws do not add up to `source` (nothing is then assumed).
 */
export function finishedTokenCount(tokens: readonly Token[], source: string): number {
  const lastNewline = source.lastIndexOf("\n");
  let offset = 0;
  let previous: Token | undefined;
  let finished = 0;
  for (const [index, token] of tokens.entries()) {
    if (token.type !== "space" && previous) {
      // A cut at `offset`: B's first line is complete when a newline follows it.
      const safe = lastNewline >= offset && (cannotGrow(previous) || endsWithBlankLine(source, offset));
      // Every earlier cut must be safe too: a block may reach past the next one once more text
      // comes (marked's setext heading takes in a "***" line that first lexed as a rule).
      if (!safe) break;
      finished = index;
    }
    if (token.type !== "space") previous = token;
    offset += token.raw.length;
  }
  return rawLength(tokens) === source.length ? finished : 0;
}
