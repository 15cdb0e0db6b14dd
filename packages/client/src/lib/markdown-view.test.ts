// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { renderMarkdown } from "./markdown.ts";
import { MarkdownView } from "./markdown-view.ts";
import { manualFrames } from "./testing/manual-frames.ts";
import { MODEL_ANSWER, splitIntoDeltas } from "./testing/markdown-samples.ts";

function setup(): { container: HTMLElement; frames: ReturnType<typeof manualFrames>; view: MarkdownView } {
  const container = document.createElement("div");
  const frames = manualFrames();
  return { container, frames, view: new MarkdownView(container, frames) };
}

describe("MarkdownView", () => {
  it("shows a finished text at once, exactly as rendered whole", () => {
    const { container, view } = setup();
    view.show(MODEL_ANSWER, true);
    expect(container.innerHTML).toBe(renderMarkdown(MODEL_ANSWER));
  });

  it("batches any number of deltas within a frame into one DOM update", () => {
    const { container, frames, view } = setup();
    view.show("Start.", false);
    const insert = vi.spyOn(container, "insertAdjacentHTML");
    let text = "Start.";
    for (const delta of splitIntoDeltas(MODEL_ANSWER.slice(0, 600), 2, 10)) view.schedule((text += delta), false);
    expect(frames.pending).toBe(1);
    expect(container.innerHTML).toBe("<p>Start.</p>\n");
    expect(insert).not.toHaveBeenCalled();
    frames.run();
    // One update: the finished blocks appended, then the tail.
    expect(insert).toHaveBeenCalledTimes(2);
    expect(container.textContent).toContain("Each delta is appended");
  });

  it("never rebuilds the nodes of finished blocks, also while a code fence grows", () => {
    const { container, frames, view } = setup();
    let text = "## Title\n\nIntro paragraph.\n\n```py\n";
    view.show(text, false);
    const heading = container.querySelector("h2");
    const intro = container.querySelector("p");
    const removed: Node[] = [];
    const observer = new MutationObserver((records) =>
      records.forEach((record) => removed.push(...record.removedNodes)),
    );
    observer.observe(container, { childList: true });
    for (const line of ["x = 1\n", "\n", "\n", "y = 2\n", "```\n", "\n", "Done.\n"]) {
      view.schedule((text += line), false);
      frames.run();
    }
    view.schedule(text, true);
    frames.run();
    for (const record of observer.takeRecords()) removed.push(...record.removedNodes);
    observer.disconnect();
    expect(container.querySelector("h2")).toBe(heading);
    expect(container.querySelector("p")).toBe(intro);
    expect(removed).not.toContain(heading);
    expect(removed).not.toContain(intro);
    expect(removed.length).toBeGreaterThan(0);
    expect(container.innerHTML).toBe(renderMarkdown(text));
  });

  it("ends equal to rendering the whole text, highlighted, after streaming", () => {
    const { container, frames, view } = setup();
    let text = "";
    for (const [index, delta] of splitIntoDeltas(MODEL_ANSWER, 2, 10).entries()) {
      view.schedule((text += delta), false);
      if (index % 7 === 0) frames.run();
    }
    view.schedule(text, true);
    frames.run();
    expect(container.innerHTML).toBe(renderMarkdown(MODEL_ANSWER));
    expect(container.querySelector("code.hljs.language-python")).not.toBeNull();
  });

  it("starts over when the text is replaced", () => {
    const { container, view } = setup();
    view.show("One.\n\nTwo.\n\nThree", false);
    view.show("Something else", false);
    expect(container.innerHTML).toBe("<p>Something else</p>\n");
  });

  it("destroy cancels a pending frame", () => {
    const { frames, view } = setup();
    view.schedule("text", false);
    view.destroy();
    expect(frames.pending).toBe(0);
  });
});
