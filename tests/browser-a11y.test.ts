/**
 * Accessibility and the walk-through's fixes in real Chromium (built client, one node, a fake LLM):
 * axe-core finds no serious or critical violation on the home page, a chat room, a presentation
 * (owner, presenter, viewer) and the embed.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { seriousViolations } from "./helpers/axe.ts";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeContexts, joinRoom, lastAnswer, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { createRoom } from "./helpers/rooms-http.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const TEST_MS = 90_000;
const DESKTOP = { width: 1280, height: 800 };
const stage = useBrowserStage();
const pageErrors: string[] = [];
const pages: Page[] = [];

afterEach(async () => {
  await closeContexts(pages.splice(0));
  expect(pageErrors.splice(0)).toEqual([]);
});

async function openPage(viewport = DESKTOP): Promise<Page> {
  const context = await stage.browser.newContext({ viewport });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  pages.push(page);
  return page;
}

async function ask(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

describe("axe-core finds no serious or critical violation", () => {
  it(
    "on the home page",
    async () => {
      const home = await openPage();
      await home.goto(stage.node.url);
      await home.getByTestId("create-room-form").waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await seriousViolations(home)).toEqual([]);
    },
    TEST_MS,
  );

  it(
    "in a chat room with an answer",
    async () => {
      const chat = await createRoom(stage.node.url, { title: "Axe chat" });
      const member = await joinRoom(await openPage(), `${stage.node.url}/r/${chat.room.id}`, "Ada");
      stage.fake.enqueue(tokenScript(["Hello ", "there."]));
      await ask(member, "Hi");
      await expect.poll(() => lastAnswer(member).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
      expect(await seriousViolations(member)).toEqual([]);
    },
    TEST_MS,
  );

  it(
    "in a presentation, as owner, presenter and viewer",
    async () => {
      const talk = await createRoom(stage.node.url, { title: "Axe talk", mode: "presentation" });
      const url = `${stage.node.url}/r/${talk.room.id}`;
      const found: Record<string, unknown> = {};
      for (const [name, link] of [
        ["owner", `${url}#key=${talk.ownerKey}`],
        ["presenter", `${url}#key=${talk.presenterKey}`],
        ["viewer", url],
      ] as const) {
        const page = await joinRoom(await openPage(), link, name);
        found[name] = await seriousViolations(page);
      }
      expect(found).toEqual({ owner: [], presenter: [], viewer: [] });
    },
    TEST_MS,
  );

  it(
    "in the embed",
    async () => {
      const chat = await createRoom(stage.node.url, { title: "Axe embed" });
      const embed = await openPage();
      await embed.route(`${stage.node.url}/a11y-embed.html`, (route) =>
        route.fulfill({
          contentType: "text/html",
          body: `<!doctype html><html lang="en"><head><title>Embed</title>
          <script type="module" src="/embed/streaming-chat.js"></script></head>
          <body><main><streaming-chat server="${stage.node.url}" room="${chat.room.id}"></streaming-chat></main></body></html>`,
        }),
      );
      await embed.goto(`${stage.node.url}/a11y-embed.html`);
      await embed.locator('streaming-chat [data-state="live"]').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await seriousViolations(embed)).toEqual([]);
      await screenshot(embed, "a11y-embed");
    },
    TEST_MS,
  );
});
