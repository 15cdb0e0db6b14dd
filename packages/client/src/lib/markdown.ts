/**
 * Markdown to safe HTML for model and user text. Two guards: marked escapes raw HTML instead of
 * passing it through, and DOMPurify sanitizes whatever HTML marked produced. Links open in a new
 * tab without access to this page. Browser only (DOMPurify needs a DOM).
 */
import createDOMPurify from "dompurify";
import { Marked } from "marked";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const marked = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  renderer: {
    // Raw HTML in the text is shown as text, never interpreted.
    html: ({ text }) => escapeHtml(text),
  },
});

/** A private DOMPurify instance, so its hooks do not leak into anyone else's. */
const purify = createDOMPurify(window);

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

const PURIFY_CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe", "object", "embed"],
  FORBID_ATTR: ["style", "class", "id"],
};

/** Renders markdown to sanitized HTML, safe for `{@html}`. */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text) as string;
  return purify.sanitize(html, PURIFY_CONFIG);
}
