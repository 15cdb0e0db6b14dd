// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderMarkdown, sanitizeHtml } from "./markdown.ts";
import { StreamingMarkdown } from "./streaming-markdown.ts";

/** The TeX sources of the formulas in `html` (KaTeX keeps each one as an annotation). */
function formulas(html: string): string[] {
  const box = document.createElement("div");
  box.innerHTML = html;
  return [...box.querySelectorAll("math annotation")].map((node) => node.textContent ?? "");
}

describe("math in markdown", () => {
  it("renders $…$ and \\(…\\) inline, $$…$$ and \\[…\\] as display math, to MathML", () => {
    const html = renderMarkdown("Euler: $e^{i\\pi}+1=0$ and \\(a^2\\).\n\n$$\n\\frac{1}{2}\n$$\n\n\\[x_1\\]");
    expect(formulas(html)).toEqual(["e^{i\\pi}+1=0", "a^2", "\\frac{1}{2}", "x_1"]);
    expect(html).toContain("<mfrac>");
    const box = document.createElement("div");
    box.innerHTML = html;
    expect(box.querySelectorAll('math[display="block"]')).toHaveLength(2);
    expect(box.querySelector("p")?.textContent).toContain("Euler:");
  });

  it("leaves prices, escaped dollars and code alone", () => {
    expect(formulas(renderMarkdown("It costs $5 and $10 today."))).toEqual([]);
    expect(formulas(renderMarkdown("Not \\$math\\$ here, nor `$x$` or $ x $."))).toEqual([]);
    expect(formulas(renderMarkdown("```\n$$y$$\n```"))).toEqual([]);
  });

  it("a formula KaTeX cannot parse shows its source as an error, not a crash", () => {
    const html = renderMarkdown("Broken: $\\frac{1}{$ end");
    expect(html).toContain("katex-error");
    expect(html).toContain("\\frac{1}{");
  });

  it("keeps the output sanitized: no trusted commands, links, styles, scripts or handlers", () => {
    const box = document.createElement("div");
    box.innerHTML = renderMarkdown(
      "$\\href{javascript:alert(1)}{x}$ $\\htmlStyle{color:red}{y}$ $\\url{javascript:alert(2)}$ " +
        "$\\htmlId{x}{z}$ $\\includegraphics{http://evil/x.png}$",
    );
    expect(box.querySelectorAll("a, img, script, [href], [style], [id], [src]")).toHaveLength(0);
    expect(box.querySelectorAll("math")).toHaveLength(5);
    const hostile = sanitizeHtml(
      '<math><mi onmouseover="alert(1)" href="javascript:alert(1)">x</mi><annotation-xml encoding="text/html">' +
        "<img src=x onerror=alert(1)></annotation-xml><mtext><img src=x onerror=alert(2)></mtext></math>",
    );
    expect(hostile).not.toMatch(/onmouseover|onerror|javascript:/);
  });

  it("streams: half-written math stays text until its closing delimiter arrives", () => {
    const markdown = new StreamingMarkdown();
    const partial = markdown.update("Area: $\\pi r", false);
    expect(partial?.tail ?? "").not.toContain("<math");
    expect(partial?.tail ?? "").not.toContain("katex-error");
    const closed = markdown.update("Area: $\\pi r^2$ done", true);
    expect(`${closed?.append ?? ""}${closed?.tail ?? ""}`).toContain("<math");
  });
});
