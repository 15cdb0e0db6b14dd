/**
 * Script never runs from what strangers type or what the model writes: real Chromium, a real
 * node, a fake LLM. A room created with a hostile title, members with hostile names, hostile
 * messages and queued questions, and hostile model output (raw HTML, `javascript:` links, entity
 * tricks) in the app and in the embeddable element. Every payload tries to set `window.__xss` or
 * open a dialog; both are watched, every element's attributes are checked for event handlers
 * and script URLs (shadow roots included), and the texts must show up as plain text.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeAllClients, rawClient } from "./helpers/clients.ts";
import { joinRoom, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const TITLE = `<img src=x onerror="window.__xss='title'"><script>window.__xss='title2'</script>`;
const OWNER_NAME = `<svg onload=window.__xss='owner'>`;
const VIEWER_NAME = `<img src=x onerror=__xss='viewer'>`;
const ASKER_NAME = `<script>__xss='asker'</script>`;
const QUESTION = `<img src=x onerror="window.__xss='question'"> [q](javascript:window.__xss='q2')`;
const MESSAGE =
  `<iframe srcdoc="<script>parent.__xss='msg'</script>"></iframe>` +
  `<b onmouseover=alert('msg')>bold?</b> [m](javascript:alert('m'))`;
/** Model output, one token each: raw HTML, script links in every spelling, entity tricks. */
const MODEL_OUTPUT = [
  `<img src=x onerror="window.__xss='m1'">\n\n`,
  `<svg onload="window.__xss='m2'"><circle r=1 /></svg>\n\n`,
  `<script>window.__xss='m3'</script>\n\n`,
  `[plain](javascript:window.__xss='m4') `,
  `[cased](JaVaScRiPt:alert('m5')) `,
  `[entity](&#106;avascript:alert('m6')) `,
  `[tabbed](java\tscript:alert('m7')) `,
  `[data](data:text/html,<script>alert('m8')</script>) `,
  `<javascript:alert('m9')> `,
  `![pic](x" onerror="window.__xss='m10') `,
  `<a href="javascript:alert('m11')">raw link</a> `,
  `<details open ontoggle="window.__xss='m12'">d</details> `,
  `&lt;script&gt;alert('m13')&lt;/script&gt; `,
  "```html\n<script>window.__xss='m14'</script>\n```\n\n",
  "end of answer.",
];

const stage = useBrowserStage();
const contexts: BrowserContext[] = [];
let hostSite: { url: string; close(): Promise<void> } | undefined;
const dialogs: string[] = [];
const pageErrors: string[] = [];

afterEach(async () => {
  closeAllClients();
  await hostSite?.close();
  for (const context of contexts.splice(0)) await context.close();
});

/** A fresh context whose pages report dialogs and uncaught errors. */
async function openPage(): Promise<Page> {
  const context = await stage.browser.newContext({ viewport: { width: 1100, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  return page;
}

/**
 * Elements with an `on*` attribute, or a URL attribute that runs script, anywhere in the
 * document and in open shadow roots; and the `window.__xss` trap.
 */
function findExecutable(page: Page): Promise<{ xss: unknown; bad: string[] }> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const scriptUrl = /^\s*(javascript:|vbscript:|data:(?!image\/))/i; // the favicon is a data: image
    const visit = (root: Document | ShadowRoot): void => {
      for (const element of Array.from(root.querySelectorAll("*"))) {
        for (const attribute of Array.from(element.attributes)) {
          const name = attribute.name.toLowerCase();
          if (
            name.startsWith("on") ||
            (["href", "src", "action", "formaction", "xlink:href", "srcdoc"].includes(name) &&
              (name === "srcdoc" || scriptUrl.test(attribute.value)))
          ) {
            bad.push(`<${element.tagName.toLowerCase()} ${name}="${attribute.value}">`);
          }
        }
        if (element.shadowRoot) visit(element.shadowRoot);
      }
    };
    visit(document);
    return { xss: (window as unknown as { __xss?: unknown }).__xss, bad };
  });
}

/** Scripts the app did not ship: any <script> or <iframe> inside the shown content. */
function injectedElements(page: Page, scope: string): Promise<number> {
  return page.evaluate((selector) => {
    let count = 0;
    const visit = (root: Document | ShadowRoot): void => {
      for (const host of Array.from(root.querySelectorAll(selector)))
        count += host.querySelectorAll("script, iframe, object, embed, img[onerror], svg[onload]").length;
      for (const element of Array.from(root.querySelectorAll("*"))) if (element.shadowRoot) visit(element.shadowRoot);
    };
    visit(document);
    return count;
  }, scope);
}

async function expectNothingRan(page: Page, label: string): Promise<void> {
  const { xss, bad } = await findExecutable(page);
  expect(xss, `${label}: window.__xss was set`).toBeUndefined();
  expect(bad, `${label}: executable attributes`).toEqual([]);
  expect(dialogs, `${label}: dialogs opened`).toEqual([]);
  expect(await injectedElements(page, "article.message, .queue, .members, header, h1")).toBe(0);
}

async function createRoom(body: object): Promise<{ room: { id: string }; links: { owner: string; share: string } }> {
  const res = await fetch(`${stage.node.url}/api/rooms`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { room: { id: string }; links: { owner: string; share: string } };
}

describe("the app", () => {
  it("a hostile title, names, message, queued question and model output are shown as text and never run", async () => {
    const created = await createRoom({ title: TITLE, mode: "presentation" });
    const roomId = created.room.id;
    const owner = await joinRoom(await openPage(), `${stage.node.url}${created.links.owner}`, OWNER_NAME);
    const viewer = await joinRoom(await openPage(), `${stage.node.url}${created.links.share}`, VIEWER_NAME);

    const asker = await rawClient(stage.node.url);
    await asker.join(roomId, ASKER_NAME);
    expect(await asker.emit("queue:submit", { roomId, text: QUESTION })).toMatchObject({ ok: true });

    stage.fake.enqueue(tokenScript(MODEL_OUTPUT));
    await owner.getByRole("textbox", { name: "Message" }).fill(MESSAGE);
    await owner.getByRole("textbox", { name: "Message" }).press("Enter");
    for (const page of [owner, viewer]) {
      await expect
        .poll(() => page.locator("article.message.assistant").last().getAttribute("data-status"), {
          timeout: UI_TIMEOUT_MS,
        })
        .toBe("done");
      await expect.poll(() => page.locator("body").innerText(), { timeout: UI_TIMEOUT_MS }).toContain(QUESTION);
    }

    for (const [label, page] of [
      ["owner", owner],
      ["viewer", viewer],
    ] as const) {
      const text = await page.locator("body").innerText();
      expect(text, `${label}: the title as text`).toContain(TITLE);
      for (const name of [OWNER_NAME, VIEWER_NAME]) expect(text, `${label}: a member's name as text`).toContain(name);
      expect(text, `${label}: the question as text`).toContain(MESSAGE);
      expect(await page.locator("article.message.assistant").last().innerText()).toContain("end of answer.");
      await expectNothingRan(page, label);
    }
    // Click the links the payloads hoped for: still nothing.
    // The HTML was escaped.
    expect(await owner.locator("article.message.user b, article.message.user iframe").count()).toBe(0);
    // Links open elsewhere or not at all; only script matters.
    for (const link of await owner.locator("article.message a").all())
      await link.click({ modifiers: ["Control"], timeout: 2_000 }).catch(() => undefined);
    await expectNothingRan(owner, "owner after hovering and clicking");
    expect(pageErrors).toEqual([]);
    await screenshot(owner, "xss-app");
  }, 90_000);
});

describe("the embeddable element", () => {
  it("a hostile room's answers, names and the element's own prompt never run", async () => {
    const roomId = "xss-embed";
    const asker = await rawClient(stage.node.url);
    await asker.join(roomId, ASKER_NAME);
    stage.fake.enqueue(tokenScript(MODEL_OUTPUT));
    const sent = (await asker.emit("chat:send", { roomId, text: MESSAGE })) as { ok: boolean; replyId: string };
    expect(sent.ok).toBe(true);
    const deadline = Date.now() + UI_TIMEOUT_MS;
    while (!asker.ends.some((e) => e.messageId === sent.replyId)) {
      if (Date.now() > deadline) throw new Error("the first answer never ended");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const page = await openPage();
    const script = `<script type="module" src="${stage.node.url}/embed/streaming-chat.js"></script>`;
    const attributes = `name="${escapeAttribute(VIEWER_NAME)}" prompt="${escapeAttribute(QUESTION)}"`;
    const html = `<!doctype html><html><head><meta charset="utf-8">${script}</head>
<body><streaming-chat server="${stage.node.url}" room="${roomId}" ${attributes}></streaming-chat></body></html>`;
    hostSite = await serveOnePage(html);
    stage.fake.enqueue(tokenScript(MODEL_OUTPUT));
    await page.goto(hostSite.url);
    const answers = page.locator("streaming-chat article.message.assistant");
    await expect.poll(() => answers.count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
    await expect.poll(() => answers.last().getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
    // Inside the shadow root.
    const text = (await page.locator("streaming-chat article.message").allInnerTexts()).join("\n");
    expect(text).toContain(MESSAGE);
    expect(text).toContain(QUESTION);
    expect(await answers.first().innerText()).toContain("end of answer.");
    await expectNothingRan(page, "embed");
    expect(await injectedElements(page, "streaming-chat")).toBe(0);
    expect(pageErrors).toEqual([]);
    await screenshot(page, "xss-embed");
  }, 90_000);
});

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** Another origin than the node's (another port), serving one host page. */
async function serveOnePage(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/post.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
