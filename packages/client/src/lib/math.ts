/**
 * Math in markdown: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` as display math, rendered by
 * KaTeX to MathML (drawn by the browser itself: no fonts, stylesheets or inline styles to serve,
 * so the page's CSP stays as it is). Only closed delimiters are math, so a streaming answer shows
 * a half-written formula as text until its closing delimiter arrives, never a half-rendered error.
 * The output goes through the same sanitizer as the rest of the markdown (lib/markdown.ts).
 */
import katex from "katex";
import type { MarkedExtension, TokenizerAndRendererExtension, Tokens } from "marked";

/** `$$…$$` or `\[…\]` opening a block, closed on the same or a later line. */
const BLOCK_MATH = /^(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\])[^\S\n]*(?:\n|$)/;
/** `$$…$$`, `\[…\]` and `\(…\)` inside a paragraph. */
const INLINE_DELIMITED = /^(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\))/;
/**
 * `$…$`: not after a space-padded `$` nor before one, nor followed by a digit, so that prices
 * ("$5 and $10") stay text.
 */
const INLINE_DOLLAR = /^\$(?![\s$])((?:\\.|[^\\$\n])+?)(?<!\s)\$(?!\d)/;

/** Bounds on what a formula may ask of the renderer (nested macros, huge sizes). */
const KATEX_OPTIONS = {
  throwOnError: false,
  trust: false,
  strict: "ignore",
  output: "mathml",
  maxSize: 20,
  maxExpand: 500,
} as const;

interface MathToken extends Tokens.Generic {
  type: "math";
  tex: string;
  display: boolean;
}

/** KaTeX's MathML for `tex`; a formula KaTeX cannot parse comes back as its source, marked as an error. */
export function renderMath(tex: string, display: boolean): string {
  return katex.renderToString(tex.trim(), { ...KATEX_OPTIONS, displayMode: display });
}

function mathToken(raw: string, tex: string, display: boolean): MathToken {
  return { type: "math", raw, tex, display };
}

const blockMath: TokenizerAndRendererExtension = {
  name: "math",
  level: "block",
  start: (src) => src.match(/^(?:\$\$|\\\[)/m)?.index,
  tokenizer(src) {
    const match = BLOCK_MATH.exec(src);
    return match ? mathToken(match[0], match[1] ?? match[2] ?? "", true) : undefined;
  },
  renderer: (token) => `${renderMath((token as MathToken).tex, (token as MathToken).display)}\n`,
};

const inlineMath: TokenizerAndRendererExtension = {
  name: "math",
  level: "inline",
  start: (src) => src.match(/\$|\\[([]/)?.index,
  tokenizer(src) {
    const delimited = INLINE_DELIMITED.exec(src);
    if (delimited) return mathToken(delimited[0], delimited[1] ?? delimited[2] ?? delimited[3] ?? "", !delimited[3]);
    const dollar = INLINE_DOLLAR.exec(src);
    return dollar ? mathToken(dollar[0], dollar[1] ?? "", false) : undefined;
  },
  renderer: (token) => renderMath((token as MathToken).tex, (token as MathToken).display),
};

export const mathExtension: MarkedExtension = { extensions: [blockMath, inlineMath] };
