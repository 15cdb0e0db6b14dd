/**
 * Shows a growing Markdown text in a container element it owns. Text changes are batched: any
 * number of them within one animation frame cost one render and one DOM update. The DOM update
 * touches only what changed: newly finished blocks are appended, the still-growing tail's nodes
 * are replaced; the nodes of finished blocks are never rebuilt.
 */
import { StreamingMarkdown, type MarkdownPatch } from "./streaming-markdown.ts";

export interface FrameScheduler {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

export const animationFrames: FrameScheduler = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

export class MarkdownView {
  readonly #container: HTMLElement;
  readonly #frames: FrameScheduler;
  readonly #markdown: StreamingMarkdown;
  #frame: number | undefined;
  #text = "";
  #final = false;
  /** Child nodes before this index belong to finished blocks; the rest are the tail's. */
  #finishedNodes = 0;
  #tailHtml = "";

  /** Runs after each DOM update (code copy buttons): the nodes it adds must not be top-level. */
  readonly #decorate: ((container: HTMLElement) => void) | undefined;

  constructor(
    container: HTMLElement,
    frames: FrameScheduler = animationFrames,
    markdown = new StreamingMarkdown(),
    decorate?: (container: HTMLElement) => void,
  ) {
    this.#container = container;
    this.#decorate = decorate;
    this.#frames = frames;
    this.#markdown = markdown;
  }

  /** Shows `text` now (first paint, a finished message). `final`: no more text will come. */
  show(text: string, final: boolean): void {
    this.#cancelFrame();
    this.#text = text;
    this.#final = final;
    this.#flush();
  }

  /** Shows `text` at the next animation frame; later calls before it replace the text. */
  schedule(text: string, final: boolean): void {
    this.#text = text;
    this.#final = final;
    this.#frame ??= this.#frames.request(() => {
      this.#frame = undefined;
      this.#flush();
    });
  }

  destroy(): void {
    this.#cancelFrame();
  }

  #cancelFrame(): void {
    if (this.#frame !== undefined) this.#frames.cancel(this.#frame);
    this.#frame = undefined;
  }

  #flush(): void {
    const patch = this.#markdown.update(this.#text, this.#final);
    if (patch) this.#apply(patch);
  }

  #apply({ reset, append, tail }: MarkdownPatch): void {
    if (reset) {
      this.#container.replaceChildren();
      this.#finishedNodes = 0;
    } else if (append === "" && tail === this.#tailHtml) {
      return;
    }
    this.#removeTail();
    // Safe: the HTML comes sanitized from the markdown engine; insertAdjacentHTML never runs scripts.
    this.#container.insertAdjacentHTML("beforeend", append);
    this.#finishedNodes = this.#container.childNodes.length;
    this.#container.insertAdjacentHTML("beforeend", tail);
    this.#tailHtml = tail;
    this.#decorate?.(this.#container);
  }

  #removeTail(): void {
    const nodes = this.#container.childNodes;
    while (nodes.length > this.#finishedNodes) nodes[nodes.length - 1]?.remove();
  }
}
