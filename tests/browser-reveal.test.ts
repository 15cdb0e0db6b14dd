/**
 * Real Chromium, real server with a long coalescing window, fake LLM: a streamed answer arrives in
 * big batches, yet its visible text grows in more steps than batches arrived (revealed word by word,
 * lib/smooth-reveal.ts) and ends identical to the answer; with reduced motion, one step per batch.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeContexts, joinRoom, lastAnswer, newPage, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";

/** Batches of several words each: tokens come every TOKEN_MS, the server sends them every WINDOW_MS. */
const WINDOW_MS = 150;
const TOKEN_MS = 15;
const stage = useBrowserStage({ COALESCE_MS: String(WINDOW_MS) });
const pages: Page[] = [];
const pageErrors: string[] = [];

const WORDS = "Tokencast reveals every batch of text one word at a time so that it reads like typing".split(" ");
const TOKENS = Array.from({ length: 96 }, (_, i) => `${WORDS[i % WORDS.length] ?? ""} `);
/** The answer as the log holds it; its paragraph's text is compared trimmed (Markdown adds a newline). */
const ANSWER = expectedText(TOKENS).trim();

afterEach(async () => {
  await closeContexts(pages.splice(0));
  expect(pageErrors.splice(0)).toEqual([]);
});

interface Watched {
  page: Page;
  /** Socket.IO frames carrying a batch of deltas, as received by the page. */
  deltaFrames(): number;
}

async function openRoom(roomId: string, name: string): Promise<Watched> {
  const page = await newPage(stage.browser, pageErrors);
  pages.push(page);
  let frames = 0;
  page.on("websocket", (socket) =>
    socket.on("framereceived", ({ payload }) => {
      if (typeof payload === "string" && payload.includes('"chat:delta"')) frames += 1;
    }),
  );
  await joinRoom(page, `${stage.node.url}/r/${roomId}`, name);
  return { page, deltaFrames: () => frames };
}

/** Records every distinct text the last answer shows, as the DOM changes (each reveal frame). */
function recordSteps(page: Page): Promise<void> {
  return page.evaluate(() => {
    const steps: string[] = [];
    (window as unknown as { revealSteps: string[] }).revealSteps = steps;
    new MutationObserver(() => {
      const text = Array.from(document.querySelectorAll("article.message.assistant .markdown"))
        .at(-1)
        ?.textContent?.trim();
      if (text && text !== steps.at(-1)) steps.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

const steps = (page: Page): Promise<string[] | undefined> =>
  page.evaluate(() => (window as unknown as { revealSteps: string[] }).revealSteps);

async function streamAnswer({ page }: Watched, question: string): Promise<string[]> {
  stage.fake.enqueue(tokenScript(TOKENS, { delayMs: TOKEN_MS }));
  await recordSteps(page);
  await page.getByRole("textbox", { name: "Message" }).fill(question);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect.poll(() => lastAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
  return (await steps(page)) ?? [];
}

function expectPrefixesEndingWithAnswer(shown: string[]): void {
  expect(shown.at(-1)).toBe(ANSWER);
  expect(shown.filter((text) => !ANSWER.startsWith(text))).toEqual([]);
}

describe("smooth reveal", () => {
  it("a batched answer's visible text grows in more steps than batches arrived, ending identical", async () => {
    const viewer = await openRoom("reveal-room", "Ada");
    const streamed = streamAnswer(viewer, "Type it out");
    await expect
      .poll(async () => (await steps(viewer.page))?.length ?? 0, { timeout: UI_TIMEOUT_MS })
      .toBeGreaterThan(5);
    await screenshot(viewer.page, "reveal-streaming");
    const shown = await streamed;
    expectPrefixesEndingWithAnswer(shown);
    const batches = viewer.deltaFrames();
    console.info(`smooth reveal: ${shown.length} steps shown for ${batches} batches`);
    expect(batches).toBeGreaterThan(2);
    // Several steps per batch (75 for 13 batches); a heavily loaded machine drops frames (46 for 18), hence the margin.
    expect(shown.length).toBeGreaterThan(batches * 1.5);
    await screenshot(viewer.page, "reveal-done");
  });

  it("a viewer who prefers reduced motion sees each batch at once: no more steps than batches", async () => {
    const viewer = await openRoom("reveal-reduced-room", "Bob");
    await viewer.page.emulateMedia({ reducedMotion: "reduce" });
    const shown = await streamAnswer(viewer, "No animation please");
    expectPrefixesEndingWithAnswer(shown);
    console.info(`reduced motion: ${shown.length} steps shown for ${viewer.deltaFrames()} batches`);
    expect(viewer.deltaFrames()).toBeGreaterThan(2);
    expect(shown.length).toBeLessThanOrEqual(viewer.deltaFrames());
  });
});
