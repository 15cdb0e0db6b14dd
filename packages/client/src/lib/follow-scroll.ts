/**
 * Whether a scrolling message list follows the live end. It follows while the reader is at the
 * bottom (within FOLLOW_SLACK_PX); scrolling up stops it; reaching the bottom again, or asking to
 * jump to live, resumes it. Content growing under a reader who scrolled up leaves them where
 * they are. Framework-free: the component feeds it the viewport's scroll metrics.
 */

/** Within this many pixels of the bottom counts as "at the bottom". */
export const FOLLOW_SLACK_PX = 60;

export interface ScrollMetrics {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

export function distanceFromBottom({ scrollTop, scrollHeight, clientHeight }: ScrollMetrics): number {
  return Math.max(0, scrollHeight - scrollTop - clientHeight);
}

export class FollowScroll {
  readonly #slack: number;
  #following = true;
  #lastTop = 0;

  constructor(slack = FOLLOW_SLACK_PX) {
    this.#slack = slack;
  }

  /** True while new content should keep the view at the bottom (and "jump to live" is hidden). */
  get following(): boolean {
    return this.#following;
  }

  /**
   * The viewport scrolled (by the reader or by us). At the bottom: follow. Moved up and away
   * from it: the reader is reading back, stop following. Content growing does not scroll, and a
   * programmatic scroll to the bottom lands at the bottom, so neither stops following.
   */
  onScroll(metrics: ScrollMetrics): boolean {
    if (distanceFromBottom(metrics) <= this.#slack) this.#following = true;
    else if (metrics.scrollTop < this.#lastTop) this.#following = false;
    this.#lastTop = metrics.scrollTop;
    return this.#following;
  }

  /** Content or viewport changed size: true when the view should now be scrolled to the bottom. */
  shouldScrollOnResize(metrics: ScrollMetrics): boolean {
    return this.#following && distanceFromBottom(metrics) > 0;
  }

  /** The reader asked to jump to live: follow again (the caller scrolls to the bottom). */
  jumpToLive(): void {
    this.#following = true;
  }
}

/** Scrolls a viewport to its bottom at once (no smooth scrolling: it must land before the next frame). */
export function scrollToBottom(viewport: HTMLElement): void {
  viewport.scrollTo({ top: viewport.scrollHeight, behavior: "instant" });
}

/** Keeps `viewport` at the bottom while `follow` follows, as `content` or the viewport resize; returns the stop. */
export function keepAtBottom(viewport: HTMLElement, content: HTMLElement, follow: FollowScroll): () => void {
  const observer = new ResizeObserver(() => {
    if (follow.shouldScrollOnResize(viewport)) scrollToBottom(viewport);
  });
  observer.observe(content);
  observer.observe(viewport);
  return () => observer.disconnect();
}
