// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderMarkdown, sanitizeHtml } from "./markdown.ts";
import { StreamingMarkdown } from "./streaming-markdown.ts";

const HOSTILE = [
  "<script>window.__xss = 1</script>",
  "<img src=x onerror=alert(1)>",
  '<iframe src="javascript:alert(1)"></iframe>',
  "<style>body { display: none }</style>",
  "<svg><script>alert(1)</script></svg>",
  "<svg onload=alert(1)><animate onbegin=alert(1) attributeName=x /></svg>",
  '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
  '<a href="javascript:alert(1)">x</a> <b onmouseover=alert(1)>hi</b>',
  "<details open ontoggle=alert(1)>x</details>",
  "<!-- comment --><script>alert(1)</script>",
  "<form action=javascript:alert(1)><button formaction=javascript:alert(1)>go</button></form>",
  "[click](javascript:alert(1))",
  "[click](JaVaScRiPt:alert(1))",
  "[click](java\tscript:alert(1))",
  "[click](&#106;avascript:alert(1))",
  "[click](vbscript:msgbox(1))",
  "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "![img](javascript:alert(1))",
  '![img](x" onerror="alert(1))',
  '[x](https://example.com "t\\" onmouseover=\\"alert(1)")',
  "<javascript:alert(1)>",
  "```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```",
  '```js\nel.innerHTML = "<img src=x onerror=alert(1)>";\n```',
  '```"><img src=x onerror=alert(1)>\ncode\n```',
  "| a | <script>alert(1)</script> |\n| - | - |\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
  '> <iframe srcdoc="<script>alert(1)</script>"></iframe>',
  "- <object data=x></object>\n- <embed src=x>\n- <base href=//evil.example>",
  '<a href="https://ok.example" target="_self" rel="opener">ok</a>',
  '<span class="hljs-keyword evil" style="color:red" id="x">x</span>',
];

/** Deltas that cut hostile HTML in the middle of a tag, an attribute or a URL scheme. */
const HOSTILE_SPLITS = [
  ["<scr", "ipt>window.__xss = 1</scr", "ipt>"],
  ["<img src=x on", "error=alert(1)>"],
  ["[a](java", "script:alert(1))"],
  ["Text\n\n<", "svg onload=alert(1)>\n\nmore"],
  ["```html\n<scr", "ipt>alert(1)</script>\n", "```\n\nafter"],
];

const DANGEROUS_URL = /^(?:javascript|vbscript|data):/i;

/** Parses `html` the way the page will, and lists whatever could run script. */
function hazards(html: string): string[] {
  const container = document.createElement("div");
  container.innerHTML = html;
  const found: string[] = [];
  const banned = "script, iframe, style, object, embed, form, button, svg, math, base, meta, link, input";
  for (const element of container.querySelectorAll(banned)) found.push(`<${element.tagName}>`);
  for (const element of container.querySelectorAll("*")) {
    for (const { name, value } of element.attributes) {
      if (name.startsWith("on") || name === "style" || name === "id" || name === "srcdoc") found.push(`${name}=`);
      // Browsers ignore whitespace and control characters inside a URL scheme.
      const url = [...value].filter((char) => char.charCodeAt(0) > 0x20).join("");
      if (["href", "src", "action", "formaction", "xlink:href"].includes(name) && DANGEROUS_URL.test(url))
        found.push(`${name}=${value}`);
      if (name === "class" && !/^(?:hljs|language-)/.test(value)) found.push(`class=${value}`);
    }
  }
  for (const link of container.querySelectorAll("a[href]")) {
    if (link.getAttribute("target") !== "_blank" || !/noopener/.test(link.getAttribute("rel") ?? ""))
      found.push("open link");
  }
  return found;
}

function streamedHtml(deltas: readonly string[]): string {
  const markdown = new StreamingMarkdown();
  let text = "";
  const seen: string[] = [];
  for (const delta of deltas) {
    markdown.update((text += delta));
    seen.push(markdown.html);
  }
  markdown.update(text, true);
  return [...seen, markdown.html].join("\n");
}

describe("nothing from users or the model can inject script", () => {
  it.each(HOSTILE)("rendered whole: %s", (input) => {
    expect(hazards(renderMarkdown(input))).toEqual([]);
  });

  it.each(HOSTILE)("streamed a character at a time: %s", (input) => {
    expect(hazards(streamedHtml([...input]))).toEqual([]);
  });

  it.each(HOSTILE_SPLITS.map((deltas) => [deltas.join(" | "), deltas]))("split across deltas: %s", (_name, deltas) => {
    expect(hazards(streamedHtml(deltas as string[]))).toEqual([]);
  });

  it("shows raw HTML as text instead of dropping it", () => {
    const container = document.createElement("div");
    container.innerHTML = renderMarkdown("<b onmouseover=alert(1)>hi</b> and <script>x()</script>");
    expect(container.querySelector("b")).toBeNull();
    expect(container.textContent).toContain("<b onmouseover=alert(1)>hi</b> and <script>x()</script>");
  });

  it("highlighted code containing HTML stays text inside highlighter spans", () => {
    const container = document.createElement("div");
    container.innerHTML = renderMarkdown("```html\n<script>alert(1)</script>\n```");
    expect(container.querySelector("pre code.hljs.language-html span.hljs-tag")).not.toBeNull();
    expect(container.querySelector("pre code")?.textContent).toBe("<script>alert(1)</script>\n");
  });

  it("links open in a new tab without access to this page", () => {
    const container = document.createElement("div");
    container.innerHTML = renderMarkdown("[site](https://example.com) and https://example.org");
    const links = [...container.querySelectorAll("a")];
    expect(links.map((a) => [a.getAttribute("href"), a.target, a.rel])).toEqual([
      ["https://example.com", "_blank", "noopener noreferrer nofollow"],
      ["https://example.org", "_blank", "noopener noreferrer nofollow"],
    ]);
  });

  it("keeps only highlighter classes", () => {
    expect(sanitizeHtml('<span class="hljs-keyword evil">x</span>')).toBe('<span class="hljs-keyword">x</span>');
    expect(sanitizeHtml('<span class="evil">x</span>')).toBe("<span>x</span>");
  });
});
