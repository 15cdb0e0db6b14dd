/**
 * Identity, copy and share, math and the model picker in real browsers (built client, node with
 * TOKEN_SECRET and a two-message join window, fake LLM listing three models):
 * - the owner picks a listed model when creating a room; a reload joins again without asking the
 *   name (owner and guest); the home page lists the room; a presenter link made later in Settings
 *   opens the room as a presenter;
 * - copy buttons put a code block's code, an answer's markdown and a link to it on the clipboard;
 *   math renders; Regenerate is offered on the latest answer only;
 * - an answer link (`#m=`) opens the room scrolled to that answer, highlighted (older history
 *   fetched to find it), also for an answer still streaming and when the fragment changes later.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import {
  answers,
  closeContexts,
  joinRoom,
  lastAnswer,
  live,
  newPage,
  UI_TIMEOUT_MS,
  VIEWPORT,
} from "./helpers/room-page.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const stage = useBrowserStage({
  TOKEN_SECRET: "identity-test-secret-of-32-characters-or-more",
  JOIN_HISTORY_MESSAGES: "2",
});
const pageErrors: string[] = [];
const pages: Page[] = [];
const MODELS = ["fake-model", "llama-3.2-1b-instruct", "qwen2.5-7b"];

afterAll(async () => {
  await closeContexts(pages);
  expect(pageErrors).toEqual([]);
});

async function openPage(): Promise<Page> {
  const page = await newPage(stage.browser, pageErrors);
  pages.push(page);
  return page;
}

/** A page whose context may read and write the clipboard (a secure context: localhost). */
async function clipboardPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: stage.node.url });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  pages.push(page);
  return page;
}

const clipboard = (page: Page): Promise<string> => page.evaluate(() => navigator.clipboard.readText());
const myRole = (page: Page) => page.getByTestId("my-role").getAttribute("data-role");

async function ask(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
}

async function answered(page: Page, count: number): Promise<void> {
  await expect
    .poll(() => page.locator('article.message.assistant[data-status="done"]').count(), { timeout: UI_TIMEOUT_MS })
    .toBe(count);
}

/** Joins a room already known to this browser: no name prompt, straight in. */
async function rejoined(page: Page): Promise<void> {
  await live(page);
  expect(await page.getByRole("button", { name: "Join room" }).count()).toBe(0);
}

describe("identity that sticks, and the model picker", () => {
  it("owner and guest keep their names over a reload; home lists the room; a presenter link from Settings", async () => {
    stage.fake.models = MODELS;
    const owner = await openPage();
    await owner.goto(stage.node.url);
    await owner.getByPlaceholder("How others see you").fill("Olga");
    const form = owner.getByTestId("create-room-form");
    await form.getByLabel("Title").fill("Identity room");
    await form.getByText("Model and system prompt").click();
    const options = form.locator('[data-testid="model-options"] option');
    await expect
      .poll(() => options.evaluateAll((all) => all.map((o) => o.getAttribute("value"))), {
        timeout: UI_TIMEOUT_MS,
      })
      .toEqual(MODELS);
    expect(await form.getByTestId("model-note").innerText()).toContain("3 models offered by the LLM server");
    const listed = await (await fetch(`${stage.node.url}/api/models`)).json();
    expect(listed).toEqual({ ok: true, models: MODELS, defaultModel: "fake-model", listed: true });
    expect(JSON.stringify(listed)).not.toContain(new URL(stage.fake.url).host);
    await form.getByTestId("model-input").fill("qwen2.5-7b");
    await screenshot(owner, "identity-model-picker");
    await form.getByRole("button", { name: "Create room" }).click();
    const share = await owner.getByTestId("share-link").inputValue({ timeout: UI_TIMEOUT_MS });
    await owner.getByTestId("open-as-owner").click();
    await live(owner);

    // A reload: no name prompt, still the owner, still Olga.
    await owner.reload();
    await rejoined(owner);
    await expect.poll(() => myRole(owner), { timeout: UI_TIMEOUT_MS }).toBe("owner");
    expect(await owner.locator(".side").innerText()).toContain("Olga");

    const guest = await joinRoom(await openPage(), share, "Gus");
    await guest.reload();
    await rejoined(guest);
    await expect.poll(() => owner.locator(".side").innerText(), { timeout: UI_TIMEOUT_MS }).toContain("Gus");

    // The home page lists the room with the role this browser had; its link opens it as before.
    await owner.goto(stage.node.url);
    const known = owner.getByTestId("known-room");
    await known.first().waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await known.count()).toBe(1);
    expect(await known.innerText()).toMatch(/Identity room[\s\S]*as Olga · owner/);
    await screenshot(owner, "identity-home-rooms");
    await known.getByRole("link").click();
    await rejoined(owner);
    await expect.poll(() => myRole(owner), { timeout: UI_TIMEOUT_MS }).toBe("owner");
    expect(await owner.locator(".header .model").innerText()).toContain("qwen2.5-7b");

    // Later, in Settings: the picker again, and a new presenter link that opens the room as a presenter.
    await owner.getByTestId("settings-button").click();
    const dialog = owner.getByTestId("settings-form");
    expect(await dialog.getByTestId("model-input").inputValue()).toBe("qwen2.5-7b");
    await expect.poll(() => dialog.locator('[data-testid="model-options"] option').count()).toBe(MODELS.length);
    await dialog.getByTestId("invite-role").selectOption("presenter");
    await dialog.getByTestId("create-invite").click();
    const presenterLink = await dialog.getByTestId("invite-link").inputValue({ timeout: UI_TIMEOUT_MS });
    await screenshot(owner, "identity-presenter-link");
    const presenter = await joinRoom(await openPage(), presenterLink, "Pia");
    await expect.poll(() => myRole(presenter), { timeout: UI_TIMEOUT_MS }).toBe("presenter");

    // A removed entry leaves the list (the room itself still opens).
    await guest.goto(stage.node.url);
    await guest
      .getByTestId("known-room")
      .getByRole("button", { name: /Remove/ })
      .click();
    expect(await guest.getByTestId("known-rooms").count()).toBe(0);
  });
});

const CODE_AND_MATH = [
  "Here is ",
  "code:\n\n",
  "```js\nconst x = 1;\n",
  "console.log(x);\n```\n\n",
  "Euler: $e^{i\\pi}+1=0$, ",
  "and\n\n$$\n\\frac{a}{b}\n$$\n",
];

const TALL = Array.from({ length: 30 }, (_, i) => `\n\nLine ${i + 1}.`);

describe("copy and share, math, regenerate", () => {
  it("copies code, text and answer links; renders math; offers Regenerate on the latest answer only", async () => {
    const ada = await clipboardPage(stage.browser);
    await joinRoom(ada, `${stage.node.url}/r/identity-copy`, "Ada");
    stage.fake.enqueue(tokenScript(CODE_AND_MATH));
    await ask(ada, "Show code and math");
    await answered(ada, 1);
    const first = lastAnswer(ada);
    expect(await first.locator("math").count()).toBe(2);
    expect(await first.locator('math[display="block"] mfrac').count()).toBe(1);
    await screenshot(ada, "identity-math", { fullPage: false });

    await first.getByRole("button", { name: "Copy code" }).click();
    await expect.poll(() => clipboard(ada)).toBe("const x = 1;\nconsole.log(x);");
    expect(await first.locator("button.code-copy").innerText()).toBe("Copied");
    await first.getByTestId("copy-message").click();
    await expect.poll(() => clipboard(ada)).toBe(CODE_AND_MATH.join(""));
    expect(await first.getByTestId("copy-message").innerText()).toBe("Copied");
    await screenshot(ada, "identity-copied", { fullPage: false });
    const firstId = await first.getAttribute("data-message-id");
    await first.getByTestId("copy-link").click();
    await expect.poll(() => clipboard(ada)).toBe(`${stage.node.url}/r/identity-copy#m=${firstId}`);

    for (const [index, text] of ["two", "three"].entries()) {
      // Tall answers: the two messages of the join fill the reader's list, so nothing but the
      // link asks for the older pages.
      stage.fake.enqueue(tokenScript([`Answer ${text}.`, ...TALL]));
      await ask(ada, `Question ${text}`);
      await answered(ada, index + 2);
    }
    expect(await ada.getByTestId("regenerate-button").count()).toBe(1);
    expect(await lastAnswer(ada).getByTestId("regenerate-button").count()).toBe(1);

    // The answer link, in another browser: joined with two messages, the rest fetched to find it.
    const reader = await openPage();
    await joinRoom(reader, `${stage.node.url}/r/identity-copy#m=${firstId}`, "Rea");
    const linked = reader.locator(`[data-message-id="${firstId}"]`);
    await expect.poll(() => linked.getAttribute("class"), { timeout: UI_TIMEOUT_MS }).toContain("highlight");
    await expect.poll(() => linked.isVisible()).toBe(true);
    expect(await inViewport(reader, firstId!)).toBe(true);
    expect(reader.url()).toContain(`#m=${firstId}`);
    await screenshot(reader, "identity-answer-link", { fullPage: false });

    // A fragment changed later is followed: the highlight moves.
    const lastId = await lastAnswer(reader).getAttribute("data-message-id");
    await reader.evaluate((id) => (location.hash = `#m=${id}`), lastId);
    await expect
      .poll(() => lastAnswer(reader).getAttribute("class"), { timeout: UI_TIMEOUT_MS })
      .toContain("highlight");
    expect(await linked.getAttribute("class")).not.toContain("highlight");
  });

  it("an answer link to an answer still streaming opens it live, highlighted, and it keeps growing", async () => {
    const ada = await clipboardPage(stage.browser);
    await joinRoom(ada, `${stage.node.url}/r/identity-live`, "Ada");
    stage.fake.enqueue(
      tokenScript(["Growing ", "answer ", "and ", "the ", "end."], { gateAfter: { tokens: 2, gate: "live-link" } }),
    );
    await ask(ada, "Stream slowly");
    await expect.poll(() => lastAnswer(ada).innerText(), { timeout: UI_TIMEOUT_MS }).toContain("Growing answer");
    await lastAnswer(ada).getByTestId("copy-link").click();
    const link = await clipboard(ada);
    expect(link).toMatch(/\/r\/identity-live#m=[\w-]+$/);

    const reader = await joinRoom(await openPage(), link, "Rea");
    const linked = answers(reader).last();
    await expect.poll(() => linked.getAttribute("class"), { timeout: UI_TIMEOUT_MS }).toContain("highlight");
    expect(await linked.getAttribute("data-status")).toBe("streaming");
    expect(await ada.getByTestId("regenerate-button").count()).toBe(0);
    stage.fake.release("live-link");
    await expect.poll(() => linked.innerText(), { timeout: UI_TIMEOUT_MS }).toContain("Growing answer and the end.");
    await answered(reader, 1);
  });
});

/** Whether the message's element is within the message list's visible area. */
function inViewport(page: Page, messageId: string): Promise<boolean> {
  return page.evaluate((id) => {
    const element = document.querySelector(`[data-message-id="${id}"]`);
    const viewport = document.querySelector(".viewport");
    if (!element || !viewport) return false;
    const box = element.getBoundingClientRect();
    const view = viewport.getBoundingClientRect();
    return box.bottom > view.top && box.top < view.bottom;
  }, messageId);
}
