/**
 * Opening a link to one message (`#m=<id>`): once the room is joined, show the message if it is
 * loaded; else fetch older history page by page (up to a bound) until it is; else say it is gone.
 * Pure: the component feeds it the room's state and does what it says.
 */

/** Pages of older history fetched at most to find a linked message. */
export const MAX_LINK_PAGES = 20;

export type LinkStep = "wait" | "show" | "load-older" | "missing";

export interface LinkRoomView {
  joined: boolean;
  messages: ReadonlyArray<{ id: string }>;
  moreHistory: boolean;
  loadingOlder: boolean;
}

/** What to do next for the linked message `target`, after `pagesLoaded` pages fetched for it. */
export function linkStep(target: string, room: LinkRoomView, pagesLoaded: number, maxPages = MAX_LINK_PAGES): LinkStep {
  if (!room.joined || room.loadingOlder) return "wait";
  if (room.messages.some((message) => message.id === target)) return "show";
  return room.moreHistory && pagesLoaded < maxPages ? "load-older" : "missing";
}
