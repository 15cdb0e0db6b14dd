/**
 * When a message list asks for older history (`room:history`): the reader has scrolled up near
 * the top of the list, or the list does not fill its viewport (there is nothing to scroll), and
 * there is older history and no page on its way. Framework-free: the component feeds it metrics.
 */
import type { ScrollMetrics } from "./follow-scroll.ts";

/** Within this many pixels of the top counts as "near the top": the page loads before the reader hits it. */
export const OLDER_SLACK_PX = 300;

export interface HistoryState {
  moreHistory: boolean;
  loadingOlder: boolean;
  /** The list follows the live end (the reader has not scrolled up): it is not reading back. */
  following: boolean;
}

export function wantsOlder(metrics: ScrollMetrics, state: HistoryState): boolean {
  if (!state.moreHistory || state.loadingOlder) return false;
  if (metrics.scrollHeight <= metrics.clientHeight) return true;
  return !state.following && metrics.scrollTop <= OLDER_SLACK_PX;
}

/** Where a message sits in the viewport before the list changes, to put it back there after. */
export interface ScrollAnchor {
  element: HTMLElement;
  top: number;
}

/**
 * The list's first message as an anchor, when the list is about to get another first message
 * (`nextFirstId`): older messages go in above it. None otherwise, so that a delta costs no layout read.
 */
export function anchorOf(list: HTMLElement, nextFirstId: string | undefined): ScrollAnchor | undefined {
  const element = list.querySelector<HTMLElement>("article.message");
  if (!element || element.dataset.messageId === nextFirstId) return undefined;
  return { element, top: element.getBoundingClientRect().top };
}

/** Scrolls so the anchor is where it was (a page put in above it must not move what the reader sees). */
export function restoreAnchor(viewport: HTMLElement, anchor: ScrollAnchor | undefined): void {
  if (!anchor?.element.isConnected) return;
  const moved = anchor.element.getBoundingClientRect().top - anchor.top;
  if (moved !== 0) viewport.scrollTop += moved;
}
