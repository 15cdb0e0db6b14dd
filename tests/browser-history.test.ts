/**
 * Real Chromium, real server, fake LLM: a join brings only the room's recent history
 * (JOIN_HISTORY_MESSAGES is small here); scrolling to the top loads the older history page by
 * page without moving what the reader sees, down to "Beginning of the room" and the first question.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeAllMembers, connectMember, succeeded, type RoomMember } from "./helpers/room-member.ts";
import { closeContexts, joinRoom, newPage, questions, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const ROOM = "history-room";
const QUESTIONS = 12;
/** A join shows the last 4 messages (two questions and their answers); pages of 50 bring the rest. */
const stage = useBrowserStage({ JOIN_HISTORY_MESSAGES: "4" });
const pages: Page[] = [];
const pageErrors: string[] = [];
let asker: RoomMember;

/** Paragraphs enough for an answer taller than half the 800 px viewport. */
const paragraphs = (question: number): string[] =>
  Array.from({ length: 12 }, (_, i) => `Answer ${question}, paragraph ${i + 1}, long enough to take a line.\n\n`);

beforeAll(async () => {
  asker = await connectMember(stage.node.url);
  succeeded(await asker.request("room:join", { roomId: ROOM, name: "asker" }));
  for (let i = 0; i < QUESTIONS; i++) {
    stage.fake.enqueue(tokenScript(paragraphs(i)));
    const { replyId } = succeeded(await asker.request("chat:send", { roomId: ROOM, text: `Question number ${i}` }));
    await asker.next("chat:end", (end) => end.messageId === replyId);
  }
}, 60_000);

afterAll(() => closeAllMembers());

afterEach(async () => {
  await closeContexts(pages.splice(0));
  expect(pageErrors.splice(0)).toEqual([]);
});

/** Where the message `text` is, in px from the top of the list's viewport. */
function offsetOf(page: Page, text: string): Promise<number> {
  return page.locator('[role="log"]').evaluate((log, wanted) => {
    const article = Array.from(log.querySelectorAll("article.message")).find((a) => a.textContent?.includes(wanted));
    if (!article) throw new Error(`no message with ${wanted}`);
    return article.getBoundingClientRect().top - log.getBoundingClientRect().top;
  }, text);
}

describe("older history", () => {
  it("scrolling to the top loads earlier messages in place, down to the beginning of the room", async () => {
    const page = await joinRoom(await newPage(stage.browser, pageErrors), `${stage.node.url}/r/${ROOM}`, "Reader");
    pages.push(page);
    const log = page.locator('[role="log"]');
    await expect.poll(() => questions(page).allInnerTexts(), { timeout: UI_TIMEOUT_MS }).toHaveLength(2);
    expect(await questions(page).first().innerText()).toContain(`Question number ${QUESTIONS - 2}`);
    expect(await page.getByText("Question number 0", { exact: true }).count()).toBe(0);

    // The reader scrolls up to the top: the earlier messages come in above, and the message at the
    // top of their view stays where it was.
    const anchorText = `Question number ${QUESTIONS - 2}`;
    // Measured in the same task as the scroll, before its scroll event can load anything.
    const before = await log.evaluate((el, wanted) => {
      el.scrollTo({ top: 0 });
      const article = Array.from(el.querySelectorAll("article.message")).find((a) => a.textContent?.includes(wanted));
      return article!.getBoundingClientRect().top - el.getBoundingClientRect().top;
    }, anchorText);
    await expect.poll(() => questions(page).count(), { timeout: UI_TIMEOUT_MS }).toBe(QUESTIONS);
    await page.getByTestId("history-start").waitFor({ state: "attached", timeout: UI_TIMEOUT_MS });
    expect(Math.abs((await offsetOf(page, anchorText)) - before)).toBeLessThanOrEqual(2);
    expect(await log.evaluate((el) => el.scrollTop)).toBeGreaterThan(1000);

    // Further up: the beginning of the room and its first question.
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByTestId("history-start").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.getByTestId("history-start").innerText()).toBe("Beginning of the room");
    await expect.poll(() => offsetOf(page, "Question number 0"), { timeout: UI_TIMEOUT_MS }).toBeLessThan(200);
    expect(await questions(page).first().innerText()).toContain("Question number 0");
    await screenshot(page, "history-beginning");
  });
});
