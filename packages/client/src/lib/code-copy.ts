/**
 * Copy buttons on rendered code blocks. The markdown HTML is sanitized and may not carry buttons,
 * so each `<pre>` gets one built here, after rendering (inside the `<pre>`, so the renderer's
 * count of top-level nodes is unchanged). One click listener on the container serves them all.
 */
import { copyText } from "./clipboard.ts";

const BUTTON_CLASS = "code-copy";
/** How long a button says "Copied" (or that copying failed) before it reads "Copy" again. */
export const COPIED_FEEDBACK_MS = 1500;

/** Gives every code block under `root` that has none a copy button. */
export function addCodeCopyButtons(root: ParentNode): void {
  for (const pre of root.querySelectorAll("pre")) {
    if (!pre.querySelector(`:scope > .${BUTTON_CLASS}`)) pre.append(copyButton(pre.ownerDocument));
  }
}

function copyButton(document: Document): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.className = BUTTON_CLASS;
  button.textContent = "Copy";
  button.setAttribute("aria-label", "Copy code");
  return button;
}

/** The code of the block a click's button belongs to, without the button's own text. */
export function codeOf(pre: Element): string {
  return (pre.querySelector("code") ?? pre).textContent?.replace(/\n$/, "") ?? "";
}

/** Handles a click anywhere in the container: copies the code when it was on a copy button. */
export async function onCodeCopyClick(event: MouseEvent, copy = copyText): Promise<void> {
  const button = (event.target as Element | null)?.closest?.(`button.${BUTTON_CLASS}`);
  const pre = button?.closest("pre");
  if (!button || !pre) return;
  const copied = await copy(codeOf(pre));
  button.textContent = copied ? "Copied" : "Copy failed: select the code";
  button.classList.toggle("failed", !copied);
  setTimeout(() => {
    button.textContent = "Copy";
    button.classList.remove("failed");
  }, COPIED_FEEDBACK_MS);
}
