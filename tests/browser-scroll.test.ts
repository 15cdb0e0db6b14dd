/**
 * Real Chromium, real server, fake LLM: the message list follows a growing answer while the
 * reader is at the bottom; scrolling up stops that and shows "Jump to live", which scrolls back
 * down and follows again; reaching the bottom by hand hides it too.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeContexts, joinRoom, lastAnswer, newPage, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const stage = useBrowserStage();
const pages: Page[] = [];
const pageErrors: string[] = [];

afterEach(async () => {
  await closeContexts(pages.splice(0));
  expect(pageErrors.splice(0)).toEqual([]);
});

/** Paragraphs enough to overflow the 800 px viewport several times. */
const lines = (from: number, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `Line ${from + i} of a long answer that keeps growing.\n\n`);

interface ScrollState {
  top: number;
  height: number;
  fromBottom: number;
}

function scrollState(page: Page): Promise<ScrollState> {
  return page.locator('[role="log"]').evaluate((el) => ({
    top: el.scrollTop,
    height: el.scrollHeight,
    fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight,
  }));
}

const jump = (page: Page) => page.getByTestId("jump-to-live");

async function ask(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
}

describe("following the live answer", () => {
  it("follows at the bottom, stays put when scrolled up, and jumps back to live", async () => {
    stage.fake.enqueue(
      tokenScript([...lines(1, 40), ...lines(41, 60)], { delayMs: 5, gateAfter: { tokens: 40, gate: "scroll-mid" } }),
    );
    const page = await joinRoom(await newPage(stage.browser, pageErrors), `${stage.node.url}/r/scroll-room`, "Sam");
    pages.push(page);
    await ask(page, "Write a lot");

    // While it grows with the reader at the bottom, the list follows it.
    await expect.poll(() => lastAnswer(page).innerText(), { timeout: UI_TIMEOUT_MS }).toContain("Line 40 of");
    await expect
      .poll(async () => (await scrollState(page)).fromBottom, { timeout: UI_TIMEOUT_MS })
      .toBeLessThanOrEqual(60);
    expect(await jump(page).count()).toBe(0);

    // The reader scrolls up: no more following, and the button shows.
    await page.locator('[role="log"]').evaluate((el) => el.scrollTo({ top: 0 }));
    await jump(page).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await jump(page).innerText()).toBe("Jump to live");
    const before = await scrollState(page);

    stage.fake.release("scroll-mid");
    await expect.poll(() => lastAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
    const after = await scrollState(page);
    expect(after.height).toBeGreaterThan(before.height + 500);
    expect(after.top).toBe(0);
    await screenshot(page, "scroll-jump-to-live");

    // "Jump to live" brings them to the bottom and goes away.
    await jump(page).click();
    await expect
      .poll(async () => (await scrollState(page)).fromBottom, { timeout: UI_TIMEOUT_MS })
      .toBeLessThanOrEqual(60);
    await jump(page).waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });

    // Scrolled up again, then back to the bottom by hand: the button goes away as well.
    await page.locator('[role="log"]').evaluate((el) => el.scrollTo({ top: el.scrollHeight / 2 }));
    await jump(page).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('[role="log"]').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await jump(page).waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });

    // Following again: the next answer is followed to its end.
    stage.fake.enqueue(tokenScript(lines(101, 60), { delayMs: 5 }));
    await ask(page, "More");
    await expect.poll(() => lastAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
    await expect
      .poll(async () => (await scrollState(page)).fromBottom, { timeout: UI_TIMEOUT_MS })
      .toBeLessThanOrEqual(60);
  });
});
