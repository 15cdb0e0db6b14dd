/**
 * Real Chromium, real server, fake LLM: windows on one room watch the same answer grow (also one
 * that joins late and one that reloads mid-answer), nothing the model writes can run as script,
 * and the home page creates a room, shows its links and opens it as its owner.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeContexts, joinRoom, lastAnswer, live, newPage, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const stage = useBrowserStage();
const pages: Page[] = [];
const pageErrors: string[] = [];

afterEach(async () => {
  await closeContexts(pages.splice(0));
  expect(pageErrors.splice(0)).toEqual([]);
});

async function openPage(): Promise<Page> {
  const page = await newPage(stage.browser, pageErrors);
  pages.push(page);
  return page;
}

async function openRoom(roomId: string, name: string): Promise<Page> {
  return joinRoom(await openPage(), `${stage.node.url}/r/${roomId}`, name);
}

async function ask(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
}

const answer = lastAnswer;
const FIRST = ["## Streaming ", "answer\n\n", "The ", "first ", "part ", "is ", "here, ", "word ", "by ", "word. "];
const REST = ["\n\n- one\n", "- two\n\n", "```js\nconsole.log(1)\n```\n\n", "The ", "end."];

/** An answer held after FIRST until the test releases `gate`. */
function gatedAnswer(gate: string): void {
  stage.fake.enqueue(tokenScript([...FIRST, ...REST], { delayMs: 5, gateAfter: { tokens: FIRST.length, gate } }));
}

/**
 * Live deltas must show well before the client's stall probe (STALL_AFTER_MS, 10 s) would fetch
 * the text anyway: a deadline under it proves the answer streams live, not by catching up.
 */
const LIVE_MS = 7_000;

/** Mid-answer: the first part is shown, still streaming, and nothing of the rest. */
async function expectFirstPartOnly(page: Page, timeout = UI_TIMEOUT_MS): Promise<void> {
  await expect.poll(() => answer(page).innerText(), { timeout }).toContain("word by word.");
  expect(await answer(page).getAttribute("data-status")).toBe("streaming");
  expect(await answer(page).innerText()).not.toContain("The end.");
  expect(await answer(page).locator("h2").innerText()).toBe("Streaming answer");
}

async function expectWholeAnswer(page: Page, timeout = UI_TIMEOUT_MS): Promise<void> {
  await expect.poll(() => answer(page).getAttribute("data-status"), { timeout }).toBe("done");
  expect(await answer(page).innerText()).toContain("The end.");
  expect(await answer(page).locator("li").count()).toBe(2);
  expect(await answer(page).locator("pre code").innerText()).toContain("console.log(1)");
}

describe("windows on one room", () => {
  it("both watch the same answer grow, then end identically", async () => {
    gatedAnswer("browser-mid");
    const [ada, bob] = await Promise.all([openRoom("browser-room", "Ada"), openRoom("browser-room", "Bob")]);
    await expect.poll(() => bob.locator(".members").innerText(), { timeout: UI_TIMEOUT_MS }).toContain("Ada");

    await ask(ada, "Show me streaming");
    for (const page of [ada, bob]) await expectFirstPartOnly(page, LIVE_MS);
    await screenshot(bob, "room-streaming");

    stage.fake.release("browser-mid");
    for (const page of [ada, bob]) await expectWholeAnswer(page, LIVE_MS);
    expect(await answer(ada).innerText()).toBe(await answer(bob).innerText());
    await screenshot(ada, "room-done");
  });

  it("a late joiner sees the partial answer, then the rest, ending identical to the others", async () => {
    gatedAnswer("late-mid");
    const [ada, bob] = await Promise.all([openRoom("late-room", "Ada"), openRoom("late-room", "Bob")]);
    await ask(ada, "Show me streaming");
    for (const page of [ada, bob]) await expectFirstPartOnly(page);

    // Opened while the model is held mid-answer: the join snapshot carries the text so far.
    const cy = await openRoom("late-room", "Cy");
    await expectFirstPartOnly(cy);
    expect(await answer(cy).innerText()).toBe(await answer(ada).innerText());
    await screenshot(cy, "room-late-joiner-mid");

    stage.fake.release("late-mid");
    for (const page of [ada, bob, cy]) await expectWholeAnswer(page);
    const texts = await Promise.all([ada, bob, cy].map((page) => answer(page).innerText()));
    expect(new Set(texts).size).toBe(1);
  });

  it("a reload mid-answer shows the partial text, then the rest, identical to the other window", async () => {
    gatedAnswer("reload-mid");
    const [ada, bob] = await Promise.all([openRoom("reload-room", "Ada"), openRoom("reload-room", "Bob")]);
    await ask(ada, "Show me streaming");
    for (const page of [ada, bob]) await expectFirstPartOnly(page);

    await bob.reload();
    // This browser joined the room as Bob: a reload joins again under that name, without asking.
    await live(bob);
    expect(await bob.getByPlaceholder("How others see you").count()).toBe(0);
    await expectFirstPartOnly(bob);
    expect(await answer(bob).innerText()).toBe(await answer(ada).innerText());

    stage.fake.release("reload-mid");
    for (const page of [ada, bob]) await expectWholeAnswer(page);
    expect(await answer(bob).innerText()).toBe(await answer(ada).innerText());
    expect(await bob.locator("article.message").count()).toBe(2);
  });

  it("model output cannot inject HTML or script", async () => {
    const hostile = [
      '<img src=x onerror="window.__xss=1">',
      " <script>window.__xss=2</script>",
      " [link](javascript:window.__xss=3)",
      " done",
    ];
    stage.fake.enqueue(tokenScript(hostile));
    const page = await openRoom("xss-room", "Eve");
    await ask(page, "<b onmouseover=alert(1)>hi</b>");
    await expect.poll(() => answer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(
      await page.locator("article.message img, article.message script, article.message b[onmouseover]").count(),
    ).toBe(0);
    const hrefs = await page
      .locator("article.message a")
      .evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
    expect(hrefs.every((href) => !href.startsWith("javascript:"))).toBe(true);
    await screenshot(page, "room-hostile-output");
  });
});

describe("the home page", () => {
  it("creates a room with the form, shows its links, and opens it as its owner", async () => {
    const page = await openPage();
    await page.goto(stage.node.url);
    await page.getByPlaceholder("How others see you").fill("Hana");
    const form = page.getByTestId("create-room-form");
    await form.getByLabel("Title").fill("Team Q&A");
    await screenshot(page, "home");
    await form.getByRole("button", { name: "Create room" }).click();

    const links = page.getByTestId("room-links");
    await links.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await links.innerText()).toContain("Team Q&A");
    const [share, presenter, owner] = await Promise.all(
      ["share-link", "presenter-link", "owner-link"].map((id) => page.getByTestId(id).inputValue()),
    );
    const roomId = new URL(share!).pathname.replace(/^\/r\//, "");
    expect(share).toBe(`${stage.node.url}/r/${roomId}`);
    const keyOf = (link: string) => new URL(link).hash.replace(/^#key=/, "");
    expect(new URL(presenter!).pathname).toBe(`/r/${roomId}`);
    expect(new URL(owner!).pathname).toBe(`/r/${roomId}`);
    expect(keyOf(presenter!)).not.toBe("");
    expect(keyOf(owner!)).not.toBe("");
    expect(keyOf(owner!)).not.toBe(keyOf(presenter!));
    await screenshot(page, "home-links");

    // The server knows the room under the title chosen in the form.
    const created = (await (await fetch(`${stage.node.url}/api/rooms/${roomId}`)).json()) as {
      room: { settings: { title: string; mode: string } };
    };
    expect(created.room.settings).toMatchObject({ title: "Team Q&A", mode: "chat" });

    await page.getByTestId("open-as-owner").click();
    await live(page);
    expect(new URL(page.url()).pathname).toBe(`/r/${roomId}`);
    expect(new URL(page.url()).hash).toBe("");
    expect(await page.getByTestId("my-role").getAttribute("data-role")).toBe("owner");
    expect(await page.locator(".header h1").innerText()).toBe("Team Q&A");
    await page.getByTestId("settings-button").waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshot(page, "home-created-room");
  });
});
