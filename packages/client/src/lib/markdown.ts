/**
 * Markdown to safe HTML for model and user text. Two guards: marked escapes raw HTML instead of
 * passing it through, and DOMPurify sanitizes whatever HTML marked (and the highlighter) produced.
 * Links open in a new tab without access to this page. Needs a DOM (DOMPurify), found on first use.
 *
 * The engine is split into lex (text → block tokens) and render (tokens → sanitized HTML) so that
 * streaming-markdown.ts can render finished blocks once and re-render only the growing tail.
 */
import createDOMPurify, { type DOMPurify } from "dompurify";
import { Lexer, Marked, type Token, type TokensList } from "marked";
import { highlightCode } from "./highlight.ts";
import { mathExtension } from "./math.ts";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Reference-link definitions (`[label]: url`) found so far, by normalised label. */
export type LinkMap = TokensList["links"];

export interface LexedBlocks {
  /** Top-level block tokens; their `raw` strings concatenate back to the source. */
  tokens: Token[];
  /** The definitions given in, plus those found in this source. */
  links: LinkMap;
}

export interface MarkdownEngine {
  /** Block tokens of `src`; reference links resolve against `links` as well as the source's own. */
  lex(src: string, links?: LinkMap): LexedBlocks;
  /** Sanitized HTML of `tokens`; fenced code with a known language is highlighted if `highlight`. */
  render(tokens: Token[], highlight: boolean): string;
}

const MARKED_OPTIONS = { async: false, gfm: true, breaks: true } as const;

/** Raw HTML in the text is shown as text, never interpreted. */
const escapeRawHtml = ({ text }: { text: string }): string => escapeHtml(text);

const plain = new Marked({ ...MARKED_OPTIONS, renderer: { html: escapeRawHtml } }, mathExtension);

const highlighting = new Marked({
  ...MARKED_OPTIONS,
  renderer: {
    html: escapeRawHtml,
    code({ text, lang }) {
      const language = /^\S*/.exec(lang ?? "")?.[0] ?? "";
      const highlighted = highlightCode(text.replace(/\n$/, ""), language);
      // false: marked's own code renderer (plain, escaped) for unknown languages.
      if (highlighted === undefined) return false;
      return `<pre><code class="hljs language-${escapeHtml(language)}">${highlighted}\n</code></pre>\n`;
    },
  },
}).use(mathExtension);

/** Classes that survive sanitizing: the highlighter's, the code language marker, and KaTeX's wrappers. */
const ALLOWED_CLASS = /^(?:hljs(?:-[\w-]+)?|language-[\w+#.-]+|katex(?:-display|-error)?)$/;

const PURIFY_CONFIG = {
  USE_PROFILES: { html: true, mathMl: true },
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
  FORBID_ATTR: ["style", "id"],
  // KaTeX keeps each formula's TeX source in an <annotation> (plain text, not shown): without
  // these, DOMPurify would drop the tags and show the source beside the formula.
  ADD_TAGS: ["semantics", "annotation"],
  ADD_ATTR: ["encoding"],
};

let purifier: DOMPurify | undefined;

/** A private DOMPurify instance, so its hooks do not leak into anyone else's. */
function createPurifier(): DOMPurify {
  const purify = createDOMPurify(globalThis.window);
  purify.addHook("uponSanitizeAttribute", (_node, data) => {
    if (data.attrName !== "class") return;
    data.attrValue = data.attrValue
      .split(/\s+/)
      .filter((name) => ALLOWED_CLASS.test(name))
      .join(" ");
    if (data.attrValue === "") data.keepAttr = false;
  });
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A" && node.hasAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer nofollow");
    }
    if (node.tagName === "IMG") {
      node.setAttribute("loading", "lazy");
      node.setAttribute("referrerpolicy", "no-referrer");
    }
  });
  return purify;
}

/** Sanitized HTML, safe for `innerHTML`. */
export function sanitizeHtml(html: string): string {
  purifier ??= createPurifier();
  return purifier.sanitize(html, PURIFY_CONFIG);
}

function lex(src: string, links: LinkMap = {}): LexedBlocks {
  const lexer = new Lexer(plain.defaults);
  Object.assign(lexer.tokens.links, links);
  const tokens = lexer.lex(src);
  return { tokens, links: tokens.links };
}

/**
 * An engine whose HTML goes through `sanitize`. Only tests and the benchmark pass another
 * sanitizer (the identity, to look at marked's output alone); the app uses `markdownEngine`.
 */
export function createMarkdownEngine(sanitize: (html: string) => string): MarkdownEngine {
  return {
    lex,
    render(tokens, highlight) {
      if (tokens.length === 0) return "";
      return sanitize((highlight ? highlighting : plain).parser(tokens));
    },
  };
}

export const markdownEngine: MarkdownEngine = createMarkdownEngine(sanitizeHtml);

/** Renders a whole (finished) markdown text to sanitized HTML, safe for `{@html}`. */
export function renderMarkdown(text: string, engine: MarkdownEngine = markdownEngine): string {
  return engine.render(engine.lex(text).tokens, true);
}
