/**
 * Driving Tokencast's web app in Chromium: pages in fresh browser contexts (each its own
 * localStorage, so its own keys and client id), joining a room by link under a name, the
 * room's messages, and the page's own Socket.IO connection, to forge events the UI never sends.
 */
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";

export const VIEWPORT = { width: 1100, height: 800 };

/** Generous: two cores shared with other people's tests. */
export const UI_TIMEOUT_MS = 15_000;

export interface PageOptions {
  /** Record the page's WebSockets so that `emitOnPageSocket` can use them. */
  recordSockets?: boolean;
}

/** A fresh context and page; uncaught page errors go to `errors`. */
export async function newPage(browser: Browser, errors: string[], options: PageOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  if (options.recordSockets) await context.addInitScript(recordWebSockets);
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
  return page;
}

/** Opens a room link (`/r/<id>`, maybe with `#key=`), confirms `name` and waits to be live. */
export async function joinRoom(page: Page, url: string, name: string): Promise<Page> {
  await page.goto(url);
  await confirmName(page, name);
  return page;
}

/** The name prompt of a room (first visit, or after a reload): fill it, join, wait to be live. */
export async function confirmName(page: Page, name: string): Promise<void> {
  await page.getByPlaceholder("How others see you").fill(name);
  await page.getByRole("button", { name: "Join room" }).click();
  await live(page);
}

export function live(page: Page): Promise<void> {
  return page.locator('.header [data-state="live"]').waitFor({ timeout: UI_TIMEOUT_MS });
}

export const answers = (page: Page): Locator => page.locator("article.message.assistant");
export const lastAnswer = (page: Page): Locator => answers(page).last();
export const questions = (page: Page): Locator => page.locator("article.message.user");

export async function closeContexts(pages: Page[]): Promise<void> {
  const contexts = new Set<BrowserContext>(pages.map((page) => page.context()));
  for (const context of contexts) await context.close();
}

// ---------- the page's own socket ----------

interface RecordedSocket {
  socket: WebSocket;
  sent: string[];
  received: string[];
}

declare global {
  interface Window {
    __recordedSockets?: RecordedSocket[];
  }
}

/**
 * Runs in the page before its scripts: every WebSocket it opens is kept, with its frames. Plain
 * code only (no class fields): Playwright sends this function's source to the page as it is.
 */
function recordWebSockets(): void {
  const Native = window.WebSocket;
  const recorded: RecordedSocket[] = [];
  const entries = new WeakMap<WebSocket, RecordedSocket>();
  window.__recordedSockets = recorded;
  window.WebSocket = class RecordingWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const entry: RecordedSocket = { socket: this, sent: [], received: [] };
      entries.set(this, entry);
      recorded.push(entry);
      this.addEventListener("message", (event: MessageEvent) =>
        entry.received.push(typeof event.data === "string" ? event.data : "<binary>"),
      );
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      entries.get(this)?.sent.push(typeof data === "string" ? data : "<binary>");
      super.send(data);
    }
  };
}

/** High enough never to collide with the app's own ack ids (which count up from 0). */
let nextAckId = 9_000;

/**
 * Emits `event` with `payload` on the page's Socket.IO connection (the one the app joined with),
 * as raw Engine.IO/Socket.IO frames, and returns the server's ack. The page must have been opened
 * with `recordSockets`. Waits until the connection has upgraded to WebSocket.
 */
export async function emitOnPageSocket(page: Page, event: string, payload: unknown): Promise<unknown> {
  const ackId = nextAckId++;
  const frame = `42${ackId}${JSON.stringify([event, payload])}`;
  await page.waitForFunction(
    (text) => {
      // "5" is Engine.IO's upgrade packet: from then on the client talks over this WebSocket.
      const upgraded = window.__recordedSockets?.find(
        (s) => s.socket.readyState === WebSocket.OPEN && s.sent.includes("5"),
      );
      upgraded?.socket.send(text);
      return upgraded !== undefined;
    },
    frame,
    { timeout: UI_TIMEOUT_MS, polling: 50 },
  );
  const reply = await page.waitForFunction(
    (prefix) => window.__recordedSockets?.flatMap((s) => s.received).find((text) => text.startsWith(prefix)),
    `43${ackId}`,
    { timeout: UI_TIMEOUT_MS, polling: 50 },
  );
  const text = (await reply.jsonValue()) as string;
  return (JSON.parse(text.slice(`43${ackId}`.length)) as unknown[])[0];
}
