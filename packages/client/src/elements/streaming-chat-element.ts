/**
 * `<streaming-chat server room prompt token name replay fresh>`: a room's live answers in a shadow
 * root. It connects only once it is on screen, and sends its prompt the first time it is seen, once
 * per element (not on reconnects, scrolling back, or attribute changes), as the room's shared
 * prompt: asked once per room, its finished answer replayed for later readers (see EmbedSession).
 * It reflects what it is doing in its `data-state` attribute: idle (not seen yet), connecting, live,
 * reconnecting, offline, invalid.
 */
import { mount, unmount } from "svelte";
import StreamingChat from "./StreamingChat.svelte";
import { EmbedSession } from "./embed-session.svelte.ts";
import type { EmbedPhase } from "./embed-session.svelte.ts";
import { readOptions } from "./embed-options.ts";
import { watchVisibility } from "./visibility.ts";

/** Where this module was loaded from: the server to talk to when no `server` attribute says otherwise. */
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/** Host rules: the page's inherited styles (colour, font, alignment…) stop at the element. */
const HOST_CSS = ":host{all:initial;display:block}:host([hidden]){display:none}";

/** Attributes that change which room this element shows (`prompt` only matters before it is sent). */
const CONNECTION_ATTRIBUTES = ["server", "room", "token", "name"];

export type StreamingChatState = EmbedPhase | "invalid";

export class StreamingChatElement extends HTMLElement {
  static observedAttributes = [...CONNECTION_ATTRIBUTES, "prompt"];

  private readonly root: ShadowRoot;
  private view: ReturnType<typeof mount> | undefined;
  private session: EmbedSession | undefined;
  private stopWatching: (() => void) | undefined;
  private visible = false;
  private promptTaken = false;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = HOST_CSS;
    this.root.append(style);
  }

  /** What the element is doing (also in its `data-state` attribute). */
  get state(): StreamingChatState {
    return (this.dataset.state as StreamingChatState | undefined) ?? "idle";
  }

  connectedCallback(): void {
    this.render();
    this.stopWatching ??= watchVisibility(this, (visible) => this.onVisibility(visible));
  }

  disconnectedCallback(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.visible = false;
    this.teardown();
  }

  attributeChangedCallback(name: string, previous: string | null, next: string | null): void {
    // Before the first render (attributes set while parsing or upgrading) there is nothing to redo.
    if (!this.view || previous === next || !CONNECTION_ATTRIBUTES.includes(name)) return;
    this.render();
    if (this.visible) this.session?.start();
  }

  private onVisibility(visible: boolean): void {
    this.visible = visible;
    if (visible && this.session?.phase === "idle") this.session.start();
  }

  private render(): void {
    this.teardown();
    const result = readOptions(this, SCRIPT_ORIGIN);
    if (!result.ok) {
      this.setState("invalid");
      this.view = mount(StreamingChat, { target: this.root, props: { problem: result.problem } });
      return;
    }
    this.session = new EmbedSession(result.options, {
      takePrompt: () => this.takePrompt(),
      onPhase: (phase) => this.setState(phase),
    });
    this.setState("idle");
    this.view = mount(StreamingChat, { target: this.root, props: { session: this.session } });
  }

  /** The prompt, the first time only: an element asks its question once in its life. */
  private takePrompt(): string | undefined {
    if (this.promptTaken) return undefined;
    this.promptTaken = true;
    return this.getAttribute("prompt")?.trim() || undefined;
  }

  private teardown(): void {
    this.session?.close();
    this.session = undefined;
    if (this.view) void unmount(this.view);
    this.view = undefined;
  }

  private setState(state: StreamingChatState): void {
    this.dataset.state = state;
  }
}
