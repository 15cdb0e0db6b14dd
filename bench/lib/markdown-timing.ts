/**
 * Shared by bench/markdown.ts (Node) and bench/markdown-page.ts (Chromium): renderers that take
 * the text after one more delta, and timing them delta by delta.
 */
import { createMarkdownEngine, markdownEngine, type MarkdownEngine } from "../../packages/client/src/lib/markdown.ts";
import { MarkdownView } from "../../packages/client/src/lib/markdown-view.ts";
import { StreamingMarkdown } from "../../packages/client/src/lib/streaming-markdown.ts";

/** Renders the text after one more delta. */
export type Renderer = (text: string) => void;

export interface Level {
  name: string;
  old: () => Renderer;
  incremental: () => Renderer;
}

/** marked + highlight.js, no sanitizing: the part that needs no DOM. */
export const htmlOnly: MarkdownEngine = createMarkdownEngine((html) => html);

export function wholeText(engine: MarkdownEngine): Renderer {
  return (text) => void engine.render(engine.lex(text).tokens, true);
}

export function incremental(engine: MarkdownEngine): Renderer {
  const markdown = new StreamingMarkdown(engine);
  return (text) => void markdown.update(text);
}

/** A container in the page; reading its height after each update makes the layout part of the cost. */
function laidOutContainer(): { container: HTMLElement; layout: () => number } {
  const container = document.createElement("div");
  container.style.width = "700px";
  document.body.replaceChildren(container);
  return { container, layout: () => container.offsetHeight };
}

export function wholeTextIntoDom(): Renderer {
  const { container, layout } = laidOutContainer();
  return (text) => {
    container.innerHTML = markdownEngine.render(markdownEngine.lex(text).tokens, true);
    layout();
  };
}

export function incrementalIntoDom(): Renderer {
  const { container, layout } = laidOutContainer();
  const view = new MarkdownView(container);
  return (text) => {
    view.show(text, false);
    layout();
  };
}

/** Milliseconds each delta took to render. */
export function timeDeltas(render: Renderer, deltas: readonly string[]): number[] {
  const times: number[] = [];
  let text = "";
  for (const delta of deltas) {
    text += delta;
    const start = performance.now();
    render(text);
    times.push(performance.now() - start);
  }
  return times;
}

/** Times both approaches of each level after a warm-up: level → approach → per-delta ms. */
export function timeLevels(
  levels: readonly Level[],
  deltas: readonly string[],
  warmUp: readonly string[],
): Array<[string, string, number[]]> {
  const rows: Array<[string, string, number[]]> = [];
  for (const level of levels) {
    for (const [approach, make] of [
      ["whole text per delta", level.old],
      ["incremental", level.incremental],
    ] as const) {
      timeDeltas(make(), warmUp);
      rows.push([level.name, approach, timeDeltas(make(), deltas)]);
    }
  }
  return rows;
}
