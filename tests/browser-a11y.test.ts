/**
 * Accessibility and the walk-through's fixes in real Chromium (built client, one node, a fake LLM):
 * axe-core finds no serious or critical violation on the home page, a chat room, a presentation
 * (owner, presenter, viewer) and the embed; the polite live region says when an answer starts and
 * finishes; a frozen server (SIGSTOP: the socket stays open) shows "Reconnecting…" within seconds
 * in the app and the embed; errors read as one plain sentence; a home page notice stays there; a
 * refused stranger sees no room; on a phone a presentation's answer is on the first screen, and at
 * 1280 px the header keeps one row and the Settings selects show their options whole.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { seriousViolations } from "./helpers/axe.ts";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeContexts, joinRoom, lastAnswer, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { createRoom } from "./helpers/rooms-http.ts";
import { httpError, tokenScript } from "./helpers/upstream-scripts.ts";

const TEST_MS = 90_000;
const DESKTOP = { width: 1280, height: 800 };
const stage = useBrowserStage({ TOKEN_SECRET: "a11y-test-secret-of-32-characters-or-more" });
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

const PHONE = { width: 390, height: 844 };
const badge = (page: Page) => page.locator(".header .badge");
const announcer = (page: Page) => page.getByTestId("announcer");

/** A page showing `<streaming-chat>` for `roomId`, served from the node's origin. */
async function openEmbed(roomId: string): Promise<Page> {
  const embed = await openPage();
  const url = `${stage.node.url}/a11y-embed-${roomId}.html`;
  await embed.route(url, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><html lang="en"><head><title>Embed</title>
        <script type="module" src="/embed/streaming-chat.js"></script></head>
        <body><main><streaming-chat server="${stage.node.url}" room="${roomId}"></streaming-chat></main></body></html>`,
    }),
  );
  await embed.goto(url);
  await embed.locator('streaming-chat [data-state="live"]').waitFor({ timeout: UI_TIMEOUT_MS });
  return embed;
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
      const embed = await openEmbed(chat.room.id);
      expect(await seriousViolations(embed)).toEqual([]);
      await screenshot(embed, "a11y-embed");
    },
    TEST_MS,
  );
});

describe("a screen reader hears the answer's phases, not its tokens", () => {
  it(
    "the polite live region says the answer started, then finished",
    async () => {
      const chat = await createRoom(stage.node.url, { title: "Live region" });
      const page = await joinRoom(await openPage(), `${stage.node.url}/r/${chat.room.id}`, "Ada");
      expect(await announcer(page).getAttribute("aria-live")).toBe("polite");
      expect(await announcer(page).innerText()).toBe("");
      // Held before the first token (the model "thinks"), then after the first one.
      const script = tokenScript(["One ", "two ", "three."], { gateAfter: { tokens: 1, gate: "region" } });
      stage.fake.enqueue({ ...script, headersDelayed: true, steps: [{ gate: "think" }, ...script.steps] });
      await ask(page, "Count");
      await expect.poll(() => announcer(page).innerText(), { timeout: UI_TIMEOUT_MS }).toBe("The model is thinking.");
      expect(await page.locator("#composer-hint").innerText()).toMatch(/preparing an answer/);
      stage.fake.release("think");
      await expect.poll(() => announcer(page).innerText(), { timeout: UI_TIMEOUT_MS }).toBe("Answer started.");
      expect(await page.locator("#composer-hint").innerText()).toMatch(/An answer is streaming/);
      stage.fake.release("region");
      await expect.poll(() => announcer(page).innerText(), { timeout: UI_TIMEOUT_MS }).toBe("Answer finished.");
      expect(await lastAnswer(page).innerText()).toContain("One two three.");
    },
    TEST_MS,
  );
});

describe("what the walk-through found", () => {
  it(
    "an error reads as one sentence, the wait said once, no code; a vote count is singular for one",
    async () => {
      const talk = await createRoom(stage.node.url, { title: "Errors", mode: "presentation" });
      const url = `${stage.node.url}/r/${talk.room.id}`;
      const presenter = await joinRoom(await openPage(), `${url}#key=${talk.presenterKey}`, "Pia");
      const viewer = await joinRoom(await openPage(), url, "Vic");
      await viewer.getByRole("textbox", { name: "Question for the presenter" }).fill("Why?");
      await viewer.getByRole("button", { name: "Ask the presenter" }).click();
      await presenter.getByRole("button", { name: "Upvote (0 votes)" }).click({ timeout: UI_TIMEOUT_MS });
      await presenter.getByRole("button", { name: "Take back your vote (1 vote)" }).waitFor({ timeout: UI_TIMEOUT_MS });

      stage.fake.enqueue(
        httpError(503, '{"error":"loading model /models/x.gguf"}', "application/json", {
          "Retry-After": "20",
        }),
      );
      await presenter.getByTestId("queue-send").click();
      for (const page of [presenter, viewer]) {
        const status = lastAnswer(page).locator(".status");
        await status.waitFor({ timeout: UI_TIMEOUT_MS });
        expect(await status.innerText()).toBe("The model is still loading on the LLM server. Try again in about 20 s.");
        expect(await status.getAttribute("data-code")).toBe("upstream_model_loading");
        expect(await lastAnswer(page).locator("code").count()).toBe(0);
      }
      await screenshot(viewer, "a11y-error-sentence");
    },
    TEST_MS,
  );

  it(
    "a notice on the home page does not follow into the room",
    async () => {
      const home = await openPage();
      await home.goto(stage.node.url);
      await home.getByPlaceholder("How others see you").fill("Olga");
      const form = home.getByTestId("create-room-form");
      await form.getByLabel("Title").fill("Notices");
      await form.getByRole("button", { name: "Create room" }).click();
      await home.getByTestId("room-links").getByRole("button", { name: "Copy" }).first().click();
      await home.locator(".toast").waitFor({ timeout: UI_TIMEOUT_MS }); // "copied", or "could not copy"
      await home.getByTestId("open-as-owner").click();
      await home.locator(".header h1").waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await home.locator(".toast").count()).toBe(0);
    },
    TEST_MS,
  );

  it(
    "a stranger refused from a private room sees why, and nothing of the room",
    async () => {
      const room = await createRoom(stage.node.url, { title: "Board", private: true });
      const stranger = await openPage();
      await stranger.goto(`${stage.node.url}/r/${room.room.id}`);
      await stranger.getByPlaceholder("How others see you").fill("Sam");
      await stranger.getByRole("button", { name: "Join room" }).click();
      const banner = stranger.locator(".banner.offline");
      await banner.waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await banner.innerText()).toMatch(/private/i);
      expect(await banner.getAttribute("data-code")).toBe("forbidden");
      expect(await banner.locator("code").count()).toBe(0);
      for (const hidden of ["composer", "transcript-md", "transcript-json"])
        expect(await stranger.getByTestId(hidden).count(), hidden).toBe(0);
      expect(await stranger.getByPlaceholder("Ask the model something…").count()).toBe(0);
      expect(await seriousViolations(stranger)).toEqual([]);
      await screenshot(stranger, "a11y-refused");
    },
    TEST_MS,
  );
});

/** Runs in the page: how many selects show less than their longest option (arrow and padding included). */
function countCutOff(elements: Element[]): number {
  const context = document.createElement("canvas").getContext("2d")!;
  return elements.filter((element) => {
    const select = element as HTMLSelectElement;
    context.font = getComputedStyle(select).font;
    const longest = Math.max(...Array.from(select.options, (option) => context.measureText(option.text).width));
    return longest + 36 > select.clientWidth;
  }).length;
}

const headerHeight = async (page: Page): Promise<number> => (await page.locator(".header").boundingBox())!.height;

/** The element's box lies inside the page's viewport (not cut off, not below the fold). */
async function expectInView(page: Page, selector: string, viewport: { width: number; height: number }): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.y, selector).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, selector).toBeLessThanOrEqual(viewport.width);
  expect(box!.y + box!.height, selector).toBeLessThanOrEqual(viewport.height);
}

describe("layout: a phone (390×844) and the header at 1280 px", () => {
  it(
    "the audience's answer is on a phone's first screen; the owner's and presenter's header never wraps or jumps",
    async () => {
      const talk = await createRoom(stage.node.url, {
        title: "Quarterly planning with the team",
        mode: "presentation",
      });
      const url = `${stage.node.url}/r/${talk.room.id}`;
      const owner = await joinRoom(await openPage(), `${url}#key=${talk.ownerKey}`, "Olga");
      const presenter = await joinRoom(await openPage(), `${url}#key=${talk.presenterKey}`, "Pia");
      const phone = await joinRoom(await openPage(PHONE), url, "Vic");
      const idle = [await headerHeight(owner), await headerHeight(presenter)];

      const tokens = ["A short answer ", "that streams in, ", "then finishes."];
      stage.fake.enqueue(tokenScript(tokens, { gateAfter: { tokens: 1, gate: "phone" } }));
      await ask(presenter, "What is this?");
      await expect.poll(() => lastAnswer(phone).innerText(), { timeout: UI_TIMEOUT_MS }).toContain("A short answer");
      await expect
        .poll(() => owner.getByTestId("model-state").getAttribute("data-state"), { timeout: UI_TIMEOUT_MS })
        .toBe("streaming");
      expect([await headerHeight(owner), await headerHeight(presenter)]).toEqual(idle);
      expect(idle[0]).toBeLessThan(60); // one row
      await expectInView(phone, "article.message.assistant .markdown", PHONE);
      await expectInView(phone, '[data-testid="my-role"]', PHONE);
      await screenshot(phone, "a11y-phone-viewer-streaming", { fullPage: false });
      stage.fake.release("phone");
      await expect.poll(() => lastAnswer(phone).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
      await expectInView(phone, "article.message.assistant .markdown", PHONE);

      // The queue and the member list fold behind one button on a phone.
      const toggle = phone.getByTestId("side-toggle");
      expect(await toggle.getAttribute("aria-expanded")).toBe("false");
      expect(await phone.getByTestId("queue-panel").isVisible()).toBe(false);
      await toggle.click();
      expect(await toggle.getAttribute("aria-expanded")).toBe("true");
      expect(await phone.getByTestId("queue-panel").isVisible()).toBe(true);
      expect(await seriousViolations(phone)).toEqual([]);
      await screenshot(phone, "a11y-phone-viewer-side-open", { fullPage: false });
      await toggle.click();

      for (const scheme of ["light", "dark"] as const) {
        for (const page of [phone, owner]) await page.emulateMedia({ colorScheme: scheme });
        await screenshot(phone, `a11y-phone-viewer-${scheme}`, { fullPage: false });
        await screenshot(owner, `a11y-desktop-owner-${scheme}`, { fullPage: false });
      }
      expect(await seriousViolations(owner)).toEqual([]);

      // The Settings dialog at 1280 px: every permission select is wide enough for its longest option.
      await owner.getByTestId("settings-button").click();
      const selects = owner.locator("dialog select");
      await selects.first().waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await selects.count()).toBeGreaterThan(0);
      expect(await selects.evaluateAll(countCutOff)).toBe(0);
      await screenshot(owner, "a11y-settings-1280", { fullPage: false });
    },
    TEST_MS,
  );
});

describe("a frozen server is noticed within seconds", () => {
  it(
    "SIGSTOP mid-answer: the app and the embed say Reconnecting…; SIGCONT: Live again and the answer completes",
    async () => {
      const chat = await createRoom(stage.node.url, { title: "Frozen" });
      const page = await joinRoom(await openPage(), `${stage.node.url}/r/${chat.room.id}`, "Ada");
      const embed = await openEmbed(chat.room.id);
      const tokens = Array.from({ length: 400 }, (_, i) => `w${i} `);
      stage.fake.enqueue(tokenScript(tokens, { delayMs: 20 }));
      await ask(page, "Talk for a while");
      await expect
        .poll(() => lastAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS })
        .toBe("streaming");
      await expect.poll(() => lastAnswer(page).innerText(), { timeout: UI_TIMEOUT_MS }).toContain("w3 ");
      const frozenAt = Date.now();
      stage.node.child.kill("SIGSTOP");
      try {
        await expect.poll(() => badge(page).innerText(), { timeout: 8_000, interval: 100 }).toBe("Reconnecting…");
        const noticedMs = Date.now() - frozenAt;
        expect(noticedMs).toBeLessThan(8_000);
        await expect
          .poll(() => embed.locator("streaming-chat .badge").innerText(), { timeout: 8_000, interval: 100 })
          .toBe("Reconnecting…");
        expect(await page.locator(".banner").innerText()).toMatch(/Reconnecting/);
        await screenshot(page, "a11y-stale-reconnecting");
      } finally {
        stage.node.child.kill("SIGCONT");
      }
      await expect.poll(() => badge(page).innerText(), { timeout: UI_TIMEOUT_MS }).toBe("Live");
      await expect
        .poll(() => embed.locator("streaming-chat .badge").innerText(), { timeout: UI_TIMEOUT_MS })
        .toBe("Live");
      await expect.poll(() => lastAnswer(page).getAttribute("data-status"), { timeout: 30_000 }).toBe("done");
      expect(await lastAnswer(page).innerText()).toContain("w399");
    },
    TEST_MS,
  );
});
