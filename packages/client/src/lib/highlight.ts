/**
 * Syntax highlighting for fenced code blocks: highlight.js core with a handful of common languages
 * (not the whole catalogue, which would triple the bundle). Output is HTML of escaped text in
 * `<span class="hljs-…">` elements; callers still sanitize it.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import css from "highlight.js/lib/languages/css";
import go from "highlight.js/lib/languages/go";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";

const LANGUAGES = { bash, css, go, javascript, json, python, rust, sql, typescript, xml };

for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
// Names models often put after the fence that the grammars above do not list themselves.
hljs.registerAliases(["shell", "console", "sh"], { languageName: "bash" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });

/** True when `language` (a fence's info word, e.g. "ts" or "python") can be highlighted. */
export function canHighlight(language: string): boolean {
  return language !== "" && hljs.getLanguage(language) !== undefined;
}

/** Highlighted HTML for `code`, or undefined when the language is unknown. */
export function highlightCode(code: string, language: string): string | undefined {
  if (!canHighlight(language)) return undefined;
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}
