// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import type { Token } from "marked";
import { createMarkdownEngine, markdownEngine, renderMarkdown, type MarkdownEngine } from "./markdown.ts";
import { StreamingMarkdown } from "./streaming-markdown.ts";
import { MODEL_ANSWER, longAnswer, seededRandom, splitIntoDeltas } from "./testing/markdown-samples.ts";

/** marked's HTML as is: the equality checks below are about blocks, and jsdom's DOMPurify is slow. */
const unsanitized = createMarkdownEngine((html) => html);

/** Without highlighting: the growing tail is never highlighted, so prefixes compare exactly. */
function withoutHighlight(engine: MarkdownEngine): MarkdownEngine {
  return { lex: engine.lex, render: (tokens) => engine.render(tokens, false) };
}

const plainEngine = withoutHighlight(unsanitized);

/** An engine that records what it was asked to lex and render. */
function spyEngine(): { engine: MarkdownEngine; lexed: string[]; rendered: string[] } {
  const lexed: string[] = [];
  const rendered: string[] = [];
  const engine: MarkdownEngine = {
    lex: (src, links) => {
      lexed.push(src);
      return plainEngine.lex(src, links);
    },
    render: (tokens: Token[], highlight) => {
      rendered.push(tokens.map((token) => token.raw).join(""));
      return plainEngine.render(tokens, highlight);
    },
  };
  return { engine, lexed, rendered };
}

/**
 * Feeds `text` in steps of `step` characters; returns the prefix lengths whose HTML differs from
 * rendering that prefix whole.
 */
function prefixMismatches(text: string, engine = plainEngine, step = 1): number[] {
  const markdown = new StreamingMarkdown(engine);
  const bad: number[] = [];
  for (let end = 1; end <= text.length; end += step) {
    const prefix = text.slice(0, end);
    markdown.update(prefix);
    if (markdown.html !== renderMarkdown(prefix, engine)) bad.push(end);
  }
  return bad;
}

function streamed(deltas: readonly string[], engine: MarkdownEngine = unsanitized): StreamingMarkdown {
  const markdown = new StreamingMarkdown(engine);
  let text = "";
  for (const delta of deltas) markdown.update((text += delta));
  markdown.update(text, true);
  return markdown;
}

/** Lines that make every kind of block and the boundaries between them. */
const FRAGMENTS = [
  "",
  "",
  "para text",
  "more *text*",
  "# Heading",
  "Setext",
  "===",
  "---",
  "- item",
  "- other",
  "  continued",
  "1. first",
  "2. second",
  "2",
  "10) ten",
  "```js",
  "```",
  "~~~",
  "const x = 1;",
  "    indented",
  "> quote",
  "> - quoted item",
  "| a | b |",
  "| --- | --- |",
  "| 1 | 2 |",
  "<div>",
  "</div>",
  "[ref]: https://example.com",
  "see [ref] now",
  "***",
  "- [ ] task",
  "  ```",
  "-",
  "=",
  "  - nested",
  "1.",
  "> ",
  "| x |",
  "<!-- c",
  "-->",
  "    ",
  "<script>",
  "</script>",
  "***bold***",
  "    - not list",
  "\t- tab",
  "* star",
  "+ plus",
  "[a]: /x",
  "[a]",
  "  ",
  "text  ",
  "<pre>",
  "</pre>",
  "| :-: |",
];

function randomDocument(seed: number, lines: number): string {
  const random = seededRandom(seed);
  return Array.from({ length: lines }, () => FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]).join("\n");
}

describe("StreamingMarkdown equals rendering the whole text", () => {
  it("at every prefix of a model-style answer", () => {
    expect(prefixMismatches(MODEL_ANSWER)).toEqual([]);
  });

  it("at prefixes of a model-style answer, sanitized", () => {
    expect(prefixMismatches(MODEL_ANSWER, withoutHighlight(markdownEngine), 23)).toEqual([]);
  });

  it("at every prefix of random block soups", () => {
    for (let seed = 1; seed <= 400; seed += 1) {
      const text = randomDocument(seed, 20);
      expect({ seed, bad: prefixMismatches(text) }).toEqual({ seed, bad: [] });
    }
  });

  it("once final, with highlighting, for every two-part split", () => {
    const whole = renderMarkdown(MODEL_ANSWER, unsanitized);
    const bad: number[] = [];
    for (let split = 1; split < MODEL_ANSWER.length; split += 1) {
      const html = streamed([MODEL_ANSWER.slice(0, split), MODEL_ANSWER.slice(split)]).html;
      if (html !== whole) bad.push(split);
    }
    expect(bad).toEqual([]);
  });

  it("once final, with highlighting, for 8 KB arriving in 2-10 character deltas", () => {
    const text = longAnswer(8_000);
    for (const seed of [1, 2, 3]) {
      expect(streamed(splitIntoDeltas(text, 2, 10, seed)).html).toBe(renderMarkdown(text, unsanitized));
    }
    const short = longAnswer(3_000);
    expect(streamed(splitIntoDeltas(short, 2, 10), markdownEngine).html).toBe(renderMarkdown(short));
  });

  it("treats \\r\\n like \\n, even split between \\r and \\n", () => {
    const text = MODEL_ANSWER.replace(/\n/g, "\r\n");
    expect(streamed(splitIntoDeltas(text, 1, 3)).html).toBe(renderMarkdown(MODEL_ANSWER, unsanitized));
  });

  it("re-renders finished blocks when a link definition for them arrives later", () => {
    const deltas = ["See [the guide][g].\n\n", "Next paragraph.\n\n", "[g]: https://example.com/g\n"];
    const markdown = streamed(deltas, markdownEngine);
    expect(markdown.html).toContain('href="https://example.com/g"');
    expect(markdown.html).toBe(renderMarkdown(deltas.join("")));
  });
});

describe("StreamingMarkdown does not redo finished blocks", () => {
  it("text appended inside an open code fence lexes and renders only from the fence on", () => {
    const { engine, lexed, rendered } = spyEngine();
    const markdown = new StreamingMarkdown(engine);
    let text = "# Title\n\nIntro paragraph.\n\n- a\n- b\n\n```py\n";
    markdown.update(text);
    lexed.length = 0;
    rendered.length = 0;
    for (const line of ["x = 1\n", "\n", "\n", "y = 2\n", "print(x)\n"]) markdown.update((text += line));
    expect(lexed.every((src) => src.startsWith("```py\n"))).toBe(true);
    expect(rendered.filter((raw) => raw !== "").every((raw) => raw.startsWith("```py\n"))).toBe(true);
  });

  it("the patch appends each finished block once and replaces only the tail", () => {
    const markdown = new StreamingMarkdown(plainEngine);
    expect(markdown.update("First paragraph.")).toEqual({
      reset: false,
      append: "",
      tail: "<p>First paragraph.</p>\n",
    });
    expect(markdown.update("First paragraph.\n\nSec")).toEqual({
      reset: false,
      append: "",
      tail: "<p>First paragraph.</p>\n<p>Sec</p>\n",
    });
    expect(markdown.update("First paragraph.\n\nSecond\n")).toEqual({
      reset: false,
      append: "<p>First paragraph.</p>\n",
      tail: "<p>Second</p>\n",
    });
    expect(markdown.update("First paragraph.\n\nSecond\n")).toBeUndefined();
  });

  it("starts over when the text is not an extension of what was finished", () => {
    const markdown = new StreamingMarkdown(plainEngine);
    markdown.update("One.\n\nTwo.\n");
    expect(markdown.update("Other.")).toEqual({ reset: true, append: "", tail: "<p>Other.</p>\n" });
  });

  it("highlights code in the tail only once it is finished", () => {
    const markdown = new StreamingMarkdown();
    const text = "Code:\n\n```js\nconst a = 1;\n";
    expect(markdown.update(text)?.tail).not.toContain("hljs");
    expect(markdown.update(`${text}\`\`\`\n\nAfter.\n`)?.append).toContain('<span class="hljs-keyword">const</span>');
    expect(markdown.update(text, true)?.append).toContain("hljs-keyword");
  });
});
