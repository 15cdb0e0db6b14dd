/**
 * The embeddable `<streaming-chat>` element in real Chromium against a real node and a fake LLM:
 * the demo page connects only when the element is scrolled into view, its prompt is asked once,
 * a page on another origin embeds it, and the host page's CSS cannot reach inside.
 * Needs the built client (`pnpm build`): dist/embed/streaming-chat.js and dist/embed/demo.html.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeAllClients, rawClient } from "./helpers/clients.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const BUNDLE = fileURLToPath(new URL("../packages/client/dist/embed/streaming-chat.js", import.meta.url));
const DEMO_PROMPT = "In three short paragraphs: why does streaming an LLM answer token by token make it feel faster?";
const FIRST = ["Streaming ", "shows ", "the ", "first ", "words ", "at ", "once. "];
const REST = ["Readers ", "start ", "reading ", "while ", "the ", "model ", "writes."];
const RED = "rgb(255, 0, 0)";

const stage = useBrowserStage();
let otherOrigin: StaticSite;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run "pnpm build" first`);
  otherOrigin = await startStaticSite();
});

afterEach(async () => {
  closeAllClients();
  for (const context of contexts.splice(0)) await context.close();
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await otherOrigin?.close();
});

// ---------- helpers ----------

async function openPage(url: string): Promise<Page> {
  const context = await stage.browser.newContext({ viewport: { width: 1100, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  await page.goto(url);
  await page
    .waitForFunction(() => customElements.get("streaming-chat"), null, { timeout: 15_000 })
    .catch((error: Error) => {
      throw new Error(`<streaming-chat> was never defined: ${error.message}\n${consoleErrors.join("\n")}`);
    });
  return page;
}

/**
 * Whether the browser sees the element on screen, asked through an IntersectionObserver of our
 * own: its first report comes in the same rendering step as the element's, so once it is here
 * the element has been told too (and has reacted, synchronously or in a microtask).
 */
function onScreen(page: Page, selector = "streaming-chat"): Promise<boolean> {
  return page.evaluate(
    (sel) =>
      new Promise<boolean>((resolve) => {
        const observer = new IntersectionObserver((entries) => {
          observer.disconnect();
          resolve(entries[0]!.isIntersecting);
        });
        observer.observe(document.querySelector(sel)!);
      }),
    selector,
  );
}

const chatState = (page: Page, selector = "streaming-chat") =>
  page.locator(selector).first().getAttribute("data-state");
const answer = (page: Page, selector = "streaming-chat") =>
  page.locator(`${selector} article.message.assistant`).last();
const questions = (page: Page, selector = "streaming-chat") => page.locator(`${selector} article.message.user`);

async function roomsOnNode(): Promise<number> {
  const health = (await (await fetch(`${stage.node.url}/healthz`)).json()) as { rooms: number };
  return health.rooms;
}

/** The room's history as the server holds it: a fresh socket's join snapshot. */
async function history(roomId: string): Promise<Array<{ role: string; text: string }>> {
  const probe = await rawClient(stage.node.url);
  const { messages } = await probe.join(roomId, "probe");
  probe.close();
  return messages;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface StaticSite {
  url: string;
  pages: Map<string, string>;
  close(): Promise<void>;
}

/** A tiny HTTP server on another port: another origin than the node's. */
async function startStaticSite(): Promise<StaticSite> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const html = pages.get(req.url ?? "");
    if (html === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A host page with hostile CSS around `body` (one or more <streaming-chat> elements). */
function hostPage(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Someone else's blog</title>
<script type="module" src="${stage.node.url}/embed/streaming-chat.js"></script>
<style>
  body { color: ${RED}; font-family: serif; text-align: right; }
  p, article, header, section { color: ${RED} !important; background: ${RED} !important; }
  :root { --text: ${RED}; --surface: ${RED}; --accent: ${RED}; }
</style></head>
<body><p>Some text of the host page.</p>${body}</body></html>`;
}

// ---------- tests ----------

describe("the bundle and the demo page", () => {
  it("are served as a script and a page, not caught by the app's fallback", async () => {
    const script = await fetch(`${stage.node.url}/embed/streaming-chat.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    // Pages on other origins load it as a module script, which is a CORS request.
    expect(script.headers.get("access-control-allow-origin")).toBe("*");
    const code = await script.text();
    expect(code).toContain("streaming-chat");
    // Self-contained and lean: no bare imports left, no zod (see vite.embed.config.ts), no process.env.
    expect(/\bimport\s*[^(]*?from\s*["'][^./]/.test(code), "a bare import is left in the bundle").toBe(false);
    expect(code.includes("ZodError"), "zod is in the bundle: see PURE_SCHEMA_BUILDERS in vite.embed.config.ts").toBe(
      false,
    );
    expect(code.includes("process.env"), "process.env is left in the bundle").toBe(false);

    const demo = await fetch(`${stage.node.url}/embed/demo.html`);
    expect(demo.status).toBe(200);
    expect(demo.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await demo.text();
    expect(html).toMatch(/<streaming-chat\s+room="embed-demo"/);
    expect(html).not.toContain('id="app"');

    expect((await fetch(`${stage.node.url}/embed/nothing-here.js`)).status).toBe(404);
    const bytes = readFileSync(BUNDLE);
    console.info(`streaming-chat.js: ${bytes.length} bytes raw, ${gzipSync(bytes).length} bytes gzip`);
  });
});

describe("the demo page", () => {
  it("starts streaming only when scrolled into view, and asks its question once", async () => {
    stage.fake.enqueue(
      tokenScript([...FIRST, ...REST], { delayMs: 5, gateAfter: { tokens: FIRST.length, gate: "embed-mid" } }),
    );
    const page = await openPage(`${stage.node.url}/embed/demo.html`);

    // Below the fold: the browser told the element it is not visible, and it did nothing.
    expect(await onScreen(page)).toBe(false);
    expect(await chatState(page)).toBe("idle");
    expect(stage.fake.requests).toHaveLength(0);
    expect(await roomsOnNode()).toBe(0);
    await screenshot(page, "embed-demo-before");

    await page.locator("streaming-chat").scrollIntoViewIfNeeded();
    await expect.poll(() => chatState(page), { timeout: 15_000 }).toBe("live");
    // Intermediate: the first part, still streaming, not the rest.
    await expect.poll(() => answer(page).innerText(), { timeout: 15_000 }).toContain("at once.");
    expect(await answer(page).getAttribute("data-status")).toBe("streaming");
    expect(await answer(page).innerText()).not.toContain("writes.");
    expect(await questions(page).innerText()).toContain(DEMO_PROMPT);
    await screenshot(page, "embed-demo-streaming");

    stage.fake.release("embed-mid");
    await expect.poll(() => answer(page).getAttribute("data-status"), { timeout: 15_000 }).toBe("done");
    expect(await answer(page).innerText()).toContain("Readers start reading while the model writes.");

    // Away and back: seen again, nothing asked again.
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await onScreen(page)).toBe(false);
    await page.locator("streaming-chat").scrollIntoViewIfNeeded();
    expect(await onScreen(page)).toBe(true);
    // A new session (attribute change: new socket, new join, "live" again) does not ask again either.
    await page.locator("streaming-chat").evaluate((el) => el.setAttribute("name", "Reader"));
    await expect.poll(() => chatState(page), { timeout: 15_000 }).toBe("live");
    await expect.poll(() => answer(page).getAttribute("data-status"), { timeout: 15_000 }).toBe("done");

    const messages = await history("embed-demo");
    expect(messages.filter((m) => m.role === "user").map((m) => m.text)).toEqual([DEMO_PROMPT]);
    expect(await questions(page).count()).toBe(1);
    expect(stage.fake.requests).toHaveLength(1);
    await screenshot(page, "embed-demo-after");
  });
});

describe("on another origin", () => {
  it("streams from the server named by its attribute, politely reports a busy room, keeps its styles", async () => {
    const gate = "embed-cors-mid";
    const before = stage.fake.requests.length;
    stage.fake.enqueue(tokenScript([...FIRST, ...REST], { delayMs: 5, gateAfter: { tokens: FIRST.length, gate } }));
    otherOrigin.pages.set(
      "/blog",
      hostPage(`
        <streaming-chat id="first" server="${stage.node.url}" room="embed-cors"
          prompt="First question"></streaming-chat>
        <streaming-chat id="second" server="${stage.node.url}" room="embed-cors" name="Second"
          prompt="Second question"></streaming-chat>`),
    );
    const page = await openPage(`${otherOrigin.url}/blog`);
    expect(new URL(page.url()).origin).not.toBe(stage.node.url);

    // Both are on screen and join; one question gets the model, the other is told the room is busy.
    for (const id of ["#first", "#second"])
      await expect.poll(() => chatState(page, id), { timeout: 15_000 }).toBe("live");
    await expect.poll(() => answer(page, "#first").innerText(), { timeout: 15_000 }).toContain("at once.");
    await expect.poll(() => page.locator("streaming-chat .notice.busy").count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator("streaming-chat .notice.busy").first().innerText()).toMatch(
      /busy answering another question/,
    );
    stage.fake.release(gate);
    for (const id of ["#first", "#second"]) {
      await expect.poll(() => answer(page, id).getAttribute("data-status"), { timeout: 15_000 }).toBe("done");
    }
    expect(stage.fake.requests.length - before).toBe(1);

    // The host page's rules (p, article, inherited colour, its CSS variables) stop at the shadow root.
    expect(await page.locator("body > p").evaluate((p) => getComputedStyle(p).color)).toBe(RED);
    const inside = await page.locator("#first").evaluate((host) => {
      const root = host.shadowRoot!;
      const style = (selector: string) => getComputedStyle(root.querySelector(selector)!);
      return [
        style(".card").color,
        style(".card").backgroundColor,
        style("article.user p").color,
        style("article.assistant p").color,
        style(".card").textAlign,
      ];
    });
    expect(inside.slice(0, 4)).not.toContain(RED);
    expect(inside[4]).not.toBe("right");
    await screenshot(page, "embed-other-origin");
  });

  it("explains a missing or invalid room inside the element, and shows when it cannot reach the server", async () => {
    const nowhere = await closedPort();
    otherOrigin.pages.set(
      "/broken",
      hostPage(`<streaming-chat id="none" server="${stage.node.url}"></streaming-chat>
        <streaming-chat id="bad" server="${stage.node.url}" room="no spaces"></streaming-chat>
        <streaming-chat id="away" server="http://127.0.0.1:${nowhere}" room="lonely"></streaming-chat>`),
    );
    const page = await openPage(`${otherOrigin.url}/broken`);
    await expect.poll(() => chatState(page, "#none")).toBe("invalid");
    expect(await page.locator("#none .problem").innerText()).toContain('add room="…"');
    expect(await chatState(page, "#bad")).toBe("invalid");
    expect(await page.locator("#bad .problem").innerText()).toContain('"no spaces" is not a room id');
    // Seen, so no longer idle: it keeps trying and says so.
    await expect.poll(() => chatState(page, "#away")).toBe("connecting");
    expect(await page.locator("#away .empty").innerText()).toBe("Connecting…");
  });
});
