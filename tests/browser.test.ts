/**
 * Real Chromium, real server, fake LLM: two windows on one room watch the same answer grow,
 * and nothing the model writes can run as script.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, screenshot } from "./helpers/browser.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

let fake: FakeUpstream;
let node: ServerNode;
let browser: Browser;

beforeAll(async () => {
  fake = await startFakeUpstream();
  node = await startNode({ LLM_BASE_URL: fake.url, LLM_MODEL: "fake-model" });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await fake?.close();
});

async function openRoom(roomId: string, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${node.url}/r/${roomId}`);
  await page.getByPlaceholder("How others see you").fill(name);
  await page.getByRole("button", { name: "Join room" }).click();
  await page.locator('[data-state="live"]').waitFor();
  return page;
}

const answer = (page: Page) => page.locator("article.message.assistant").last();

describe("two windows, one room", () => {
  it("both watch the same answer grow, then end identically", async () => {
    const first = [
      "## Streaming ", "answer\n\n", "The ", "first ", "part ", "is ", "here, ", "word ", "by ", "word. ",
    ];
    const rest = ["\n\n- one\n", "- two\n\n", "```js\nconsole.log(1)\n```\n\n", "The ", "end."];
    fake.enqueue(tokenScript([...first, ...rest], { delayMs: 5, gateAfter: { tokens: first.length, gate: "browser-mid" } }));
    const [ada, bob] = await Promise.all([openRoom("browser-room", "Ada"), openRoom("browser-room", "Bob")]);
    await expect.poll(() => bob.locator(".members, [aria-label*='ember']").first().innerText(), { timeout: 10_000 }).toContain("Ada");

    await ada.getByRole("textbox", { name: "Message" }).fill("Show me streaming");
    await ada.getByRole("textbox", { name: "Message" }).press("Enter");

    // Intermediate state: both windows show the first part, still streaming, not the rest.
    for (const page of [ada, bob]) {
      await expect.poll(() => answer(page).innerText(), { timeout: 10_000 }).toContain("word by word.");
      expect(await answer(page).getAttribute("data-status")).toBe("streaming");
      expect(await answer(page).innerText()).not.toContain("The end.");
      expect(await answer(page).locator("h2").innerText()).toBe("Streaming answer");
    }
    await screenshot(bob, "room-streaming");

    fake.release("browser-mid");
    for (const page of [ada, bob]) {
      await expect.poll(() => answer(page).getAttribute("data-status"), { timeout: 10_000 }).toBe("done");
      await expect.poll(() => answer(page).innerText()).toContain("The end.");
      expect(await answer(page).locator("li").count()).toBe(2);
      expect(await answer(page).locator("pre code").innerText()).toContain("console.log(1)");
    }
    expect(await answer(ada).innerText()).toBe(await answer(bob).innerText());
    await screenshot(ada, "room-done");
  });

  it("model output cannot inject HTML or script", async () => {
    const hostile = ['<img src=x onerror="window.__xss=1">', " <script>window.__xss=2</script>", " [link](javascript:window.__xss=3)", " done"];
    fake.enqueue(tokenScript(hostile));
    const page = await openRoom("xss-room", "Eve");
    await page.getByRole("textbox", { name: "Message" }).fill("<b onmouseover=alert(1)>hi</b>");
    await page.getByRole("textbox", { name: "Message" }).press("Enter");
    await expect.poll(() => answer(page).getAttribute("data-status"), { timeout: 10_000 }).toBe("done");
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("article.message img, article.message script, article.message b[onmouseover]").count()).toBe(0);
    const hrefs = await page.locator("article.message a").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
    expect(hrefs.every((href) => !href.startsWith("javascript:"))).toBe(true);
    await screenshot(page, "room-hostile-output");
  });

  it("the home page creates a room and lands in it", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(node.url);
    await screenshot(page, "home");
    await page.getByPlaceholder("How others see you").fill("Hana");
    await page.getByRole("button", { name: "Create a room" }).click();
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/r\/[a-z]+-[a-z]+-\d+$/);
    await page.locator('[data-state="live"]').waitFor();
  });
});
