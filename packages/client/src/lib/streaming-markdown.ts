/**
 * Incremental Markdown rendering for text that grows at the end (a streaming answer).
 *
 * Finished blocks (see block-boundary.ts) are rendered to sanitized HTML once and kept; only the
 * text after them is lexed and rendered again on each update. The HTML always equals rendering
 * the whole text at once, except that code in the growing tail is not highlighted until the
 * block is finished or the text is final.
 *
 * Falls back to starting over when the text is not an extension of the finished part (a reset,
 * a regenerated answer) or when the link definitions change (`[label]: url`: a finished block may
 * refer to a label defined later; models rarely write these).
 */
import { finishedTokenCount } from "./block-boundary.ts";
import { markdownEngine, type LinkMap, type MarkdownEngine } from "./markdown.ts";
import type { Token } from "marked";

export interface MarkdownPatch {
  /** Everything shown before is void: show `append` then `tail` on an empty page. */
  reset: boolean;
  /** HTML of blocks finished since the last patch, to add after the finished ones shown. */
  append: string;
  /** HTML of the blocks still growing; replaces the previous tail. */
  tail: string;
}

/** marked reads "\r\n" and "\r" as "\n"; doing it up front keeps offsets into the text exact. */
function normalizeNewlines(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

function linksOf(tokens: readonly Token[], into: LinkMap): LinkMap {
  for (const token of tokens) {
    if (token.type === "def" && !(token.tag in into)) into[token.tag] = { href: token.href, title: token.title };
  }
  return into;
}

function rawLength(tokens: readonly Token[]): number {
  return tokens.reduce((sum, token) => sum + token.raw.length, 0);
}

export class StreamingMarkdown {
  readonly #engine: MarkdownEngine;
  /** Source of the finished blocks (a prefix of the text), their HTML and link definitions. */
  #finishedSource = "";
  #finishedHtml = "";
  #finishedLinks: LinkMap = {};
  /** All link definitions the finished blocks were rendered with, as JSON. */
  #renderedLinks = "{}";
  #tailHtml = "";
  #source = "";
  #final = false;

  constructor(engine: MarkdownEngine = markdownEngine) {
    this.#engine = engine;
  }

  /** The HTML of the whole text as rendered so far. */
  get html(): string {
    return this.#finishedHtml + this.#tailHtml;
  }

  /**
   * Brings the rendering up to `text`. `final` marks the text as complete: every block is then
   * finished (and highlighted). Returns undefined when nothing changed.
   */
  update(text: string, final = false): MarkdownPatch | undefined {
    const source = normalizeNewlines(text);
    if (source === this.#source && final === this.#final) return undefined;
    let reset = this.#final || !source.startsWith(this.#finishedSource);
    if (reset) this.#clear();
    let lexed = this.#lexTail(source);
    if (JSON.stringify(lexed.links) !== this.#renderedLinks && this.#finishedSource.includes("]")) {
      reset = true;
      this.#clear();
      lexed = this.#lexTail(source);
    }
    this.#renderedLinks = JSON.stringify(lexed.links);
    this.#source = source;
    this.#final = final;
    return { reset, ...this.#render(lexed.tokens, lexed.source, final) };
  }

  #lexTail(source: string): { source: string; tokens: Token[]; links: LinkMap } {
    const tailSource = source.slice(this.#finishedSource.length);
    return { source: tailSource, ...this.#engine.lex(tailSource, this.#finishedLinks) };
  }

  /** Keeps the finished ones of the tail's `tokens`; returns their HTML and the new tail's. */
  #render(tokens: Token[], tailSource: string, final: boolean): Omit<MarkdownPatch, "reset"> {
    const count = final ? tokens.length : finishedTokenCount(tokens, tailSource);
    const done = tokens.slice(0, count);
    const append = this.#engine.render(done, true);
    this.#finishedSource += tailSource.slice(0, rawLength(done));
    this.#finishedHtml += append;
    linksOf(done, this.#finishedLinks);
    this.#tailHtml = this.#engine.render(tokens.slice(count), false);
    return { append, tail: this.#tailHtml };
  }

  #clear(): void {
    this.#finishedSource = "";
    this.#finishedHtml = "";
    this.#finishedLinks = {};
    this.#renderedLinks = "{}";
    this.#tailHtml = "";
    this.#source = "";
    this.#final = false;
  }
}
