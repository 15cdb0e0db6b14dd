/**
 * Ask-once and replays in real Chromium, against two nodes sharing a private redis-server and a
 * fake LLM. The embed: two readers arriving together on different nodes get one question and one
 * answer (the second watches it live); a later reader sees the finished answer replayed at its
 * original pace; `replay="instant"` shows it at once; `fresh` asks anew; the card follows the live
 * answer and offers "Jump to live" when scrolled up. The app: a member replays
 * a finished answer for themself; a presenter replays one for the room and a viewer sees it.
 * Needs the built client (`pnpm build`).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { launchBrowser, screenshot } from "./helpers/browser.ts";
import { closeAllClients, rawClient } from "./helpers/clients.ts";
import { startFakeUpstream, type FakeUpstream } from "./helpers/fake-upstream.ts";
import { startRedis, type RedisProcess } from "./helpers/redis.ts";
import { closeContexts, joinRoom, lastAnswer, newPage, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { createRoom } from "./helpers/rooms-http.ts";
import { problems, startNode, type ServerNode } from "./helpers/spawn-node.ts";
import { expectedText, tokenScript } from "./helpers/upstream-scripts.ts";

const ROOM = "replay-room";
const PROMPT = "What changed in version 2?";
/** Each test drives several pages across two nodes, on two cores shared with other people's tests. */
const TEST_MS = 120_000;
/** Paced so that the answer (and so its replay) takes about two seconds. */
const TOKENS = Array.from({ length: 16 }, (_, i) => `Change ${i + 1} is here. `);
const ANSWER = expectedText(TOKENS).trim();
const PACE_MS = 120;

let redis: RedisProcess;
let fake: FakeUpstream;
let nodes: ServerNode[] = [];
let browser: Browser;
/** Host pages on another origin than the nodes' (a blog embedding the element), by path. */
const hostPages = new Map<string, string>();
let host: Server;
let hostUrl: string;
const pages: Page[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  fake = await startFakeUpstream();
  const env = { LLM_BASE_URL: fake.url, LLM_MODEL: "fake-model", REDIS_URL: redis.url, REDIS_PREFIX: "replay:" };
  nodes = await Promise.all([startNode(env), startNode(env)]);
  browser = await launchBrowser();
  host = createServer((req, res) => {
    const html = hostPages.get(req.url ?? "");
    if (html === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
}, 120_000);

afterEach(async () => {
  closeAllClients();
  await closeContexts(pages.splice(0));
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  for (const node of nodes) expect(problems(node)).toEqual([]);
  await Promise.all(nodes.map((node) => node.stop()));
  await fake?.close();
  await redis?.close();
  await new Promise((resolve) => host?.close(resolve));
}, 60_000);

// ---------- helpers ----------

/** A page on another origin holding one `<streaming-chat>` with these attributes. */
async function embedPage(attributes: string, node: ServerNode): Promise<Page> {
  const page = await newPage(browser, pageErrors);
  pages.push(page);
  const html = `<!doctype html><meta charset="utf-8"><title>A blog</title>
    <script type="module" src="${node.url}/embed/streaming-chat.js"></script>
    <streaming-chat server="${node.url}" room="${ROOM}" ${attributes}></streaming-chat>`;
  const path = `/post-${hostPages.size + 1}`;
  hostPages.set(path, html);
  await page.goto(`${hostUrl}${path}`);
  return page;
}

const embedAnswer = (page: Page): Locator => page.locator("streaming-chat article.message.assistant").last();

/** The room's questions as the server holds them (a fresh socket's join snapshot). */
async function questionsOnServer(): Promise<string[]> {
  const probe = await rawClient(nodes[0]!.url);
  const { messages } = await probe.join(ROOM, "probe");
  probe.close();
  return messages.filter((m) => m.role === "user").map((m) => m.text);
}

/**
 * How much of the answer shows, sampled every animation frame for as long as it replays: the
 * lengths seen, in order. Read inside the page, so no step is missed between two polls.
 */
function replayedLengths(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const root = document.querySelector("streaming-chat")!.shadowRoot!;
    const article = () => Array.from(root.querySelectorAll("article.assistant")).at(-1);
    const lengths: number[] = [];
    const deadline = performance.now() + 15_000;
    const sample = () => {
      const length = (article()?.querySelector(".markdown")?.textContent ?? "").trim().length;
      if (lengths.at(-1) !== length) lengths.push(length);
    };
    while (article()?.getAttribute("data-replaying") !== "false" && performance.now() < deadline) {
      sample();
      await new Promise(requestAnimationFrame);
    }
    sample();
    return lengths;
  });
}

function isIncreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value > values[i - 1]!);
}

// ---------- tests ----------

describe("the embed asks once", () => {
  it(
    "two readers on two nodes share one answer; a later one sees it replayed at its pace, or at once",
    async () => {
      fake.enqueue(tokenScript(TOKENS, { delayMs: PACE_MS, gateAfter: { tokens: 4, gate: "shared-mid" } }));
      const [first, second] = await Promise.all([
        embedPage(`prompt="${PROMPT}"`, nodes[0]!),
        embedPage(`prompt="${PROMPT}" name="Second"`, nodes[1]!),
      ]);
      for (const page of [first, second]) {
        await expect.poll(() => embedAnswer(page).innerText(), { timeout: UI_TIMEOUT_MS }).toContain("Change 4 is");
        expect(await embedAnswer(page).getAttribute("data-status")).toBe("streaming");
      }
      expect(fake.requests).toHaveLength(1);
      expect(await questionsOnServer()).toEqual([PROMPT]);
      // Neither was told the room is busy (whichever of the two asked first).
      for (const page of [first, second]) expect(await page.locator("streaming-chat .notice").count()).toBe(0);
      await screenshot(second, "replay-second-reader-live");

      fake.release("shared-mid");
      for (const page of [first, second]) {
        await expect.poll(() => embedAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
        expect((await embedAnswer(page).innerText()).trim()).toContain(ANSWER);
      }

      // A third reader after the end: the same answer grows again, step by step, at about its pace.
      const third = await embedPage(`prompt="  What changed in   version 2? "`, nodes[0]!);
      await expect
        .poll(() => embedAnswer(third).getAttribute("data-replaying"), { timeout: UI_TIMEOUT_MS })
        .toBe("true");
      const lengths = await replayedLengths(third);
      expect(lengths.length, `lengths seen: ${lengths.join(",")}`).toBeGreaterThanOrEqual(5);
      expect(isIncreasing(lengths)).toBe(true);
      expect(lengths.at(-1)).toBe(ANSWER.length);
      expect((await embedAnswer(third).innerText()).trim()).toContain(ANSWER);
      const fromBottom = await third
        .locator("streaming-chat .viewport")
        .evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      expect(fromBottom).toBeLessThanOrEqual(60);
      expect(await third.locator("streaming-chat header .title").innerText()).toBe("Live answers");
      await screenshot(third, "replay-third-reader-replayed");

      // replay="instant": the whole answer from the first paint, never a replay.
      const instant = await embedPage(`prompt="${PROMPT}" replay="instant"`, nodes[1]!);
      await expect
        .poll(() => embedAnswer(instant).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS })
        .toBe("done");
      expect((await embedAnswer(instant).innerText()).trim()).toContain(ANSWER);
      expect(await embedAnswer(instant).getAttribute("data-replaying")).toBe("false");
      await screenshot(instant, "replay-instant");

      expect(fake.requests).toHaveLength(1);
      expect(await questionsOnServer()).toEqual([PROMPT]);
    },
    TEST_MS,
  );

  it(
    "`fresh` asks its prompt anew; the card follows the live answer and offers Jump to live when scrolled up",
    async () => {
      const lines = Array.from({ length: 40 }, (_, i) => `Fresh line ${i + 1}.\n\n`);
      // The room already has its answer to PROMPT (the test above): `fresh` asks all the same.
      const asked = fake.requests.length;
      const questionsBefore = await questionsOnServer();
      fake.enqueue(tokenScript(lines, { delayMs: 10, gateAfter: { tokens: 30, gate: "fresh-mid" } }));
      const page = await embedPage(`prompt="${PROMPT}" fresh`, nodes[0]!);
      await expect.poll(() => embedAnswer(page).innerText(), { timeout: UI_TIMEOUT_MS }).toContain("Fresh line 30.");
      expect(fake.requests).toHaveLength(asked + 1);
      expect(await questionsOnServer()).toEqual([...questionsBefore, PROMPT]);

      // Following the live end; scrolled up, it stays put and offers to jump back.
      const viewport = page.locator("streaming-chat .viewport");
      const fromBottom = () => viewport.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      await expect.poll(fromBottom, { timeout: UI_TIMEOUT_MS }).toBeLessThanOrEqual(60);
      expect(await page.getByTestId("jump-to-live").count()).toBe(0);
      await viewport.evaluate((el) => el.scrollTo({ top: 0, behavior: "instant" }));
      await page.getByTestId("jump-to-live").waitFor({ timeout: UI_TIMEOUT_MS });
      fake.release("fresh-mid");
      await expect.poll(() => embedAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
      expect(await viewport.evaluate((el) => el.scrollTop)).toBe(0);
      await screenshot(page, "replay-fresh-scrolled-up");
      await page.getByTestId("jump-to-live").click();
      await expect.poll(fromBottom, { timeout: UI_TIMEOUT_MS }).toBeLessThanOrEqual(60);
      expect(await page.getByTestId("jump-to-live").count()).toBe(0);
    },
    TEST_MS,
  );
});

describe("replays in the app", () => {
  it(
    "a member replays an answer for themself; a presenter replays one for the room and a viewer sees it",
    async () => {
      const talk = await createRoom(nodes[0]!.url, { title: "Replay talk", mode: "presentation" });
      const presenter = await joinRoom(
        await newPage(browser, pageErrors),
        `${nodes[0]!.url}${talk.links.presenter}`,
        "Pia",
      );
      const viewer = await joinRoom(await newPage(browser, pageErrors), `${nodes[1]!.url}${talk.links.share}`, "Vic");
      pages.push(presenter, viewer);
      const asked = fake.requests.length;
      fake.enqueue(tokenScript(TOKENS, { delayMs: PACE_MS }));
      await presenter.getByRole("textbox", { name: "Message" }).fill("Summarise the talk");
      await presenter.getByRole("textbox", { name: "Message" }).press("Enter");
      for (const page of [presenter, viewer]) {
        await expect.poll(() => lastAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
      }

      // The viewer replays it alone: it starts over, "Show all" ends it with the whole text.
      expect(await lastAnswer(viewer).getByTestId("replay-room-button").count()).toBe(0);
      await lastAnswer(viewer).getByTestId("replay-button").click();
      await expect
        .poll(async () => (await lastAnswer(viewer).innerText()).length, { timeout: UI_TIMEOUT_MS })
        .toBeLessThan(ANSWER.length / 2);
      await screenshot(viewer, "replay-member-replaying");
      await lastAnswer(viewer).getByTestId("show-all-button").click();
      await expect.poll(() => lastAnswer(viewer).innerText(), { timeout: UI_TIMEOUT_MS }).toContain(ANSWER);
      expect(await lastAnswer(viewer).getByTestId("show-all-button").count()).toBe(0);
      expect(await lastAnswer(presenter).getByTestId("show-all-button").count()).toBe(0);

      // The presenter replays it for everyone: the viewer's (other node) replays too, to the end.
      await lastAnswer(presenter).getByTestId("replay-room-button").click();
      await lastAnswer(viewer).getByTestId("show-all-button").waitFor({ timeout: UI_TIMEOUT_MS });
      expect((await lastAnswer(viewer).innerText()).length).toBeLessThan(ANSWER.length);
      await screenshot(viewer, "replay-for-the-room");
      await lastAnswer(viewer).getByTestId("show-all-button").waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
      expect(await lastAnswer(viewer).innerText()).toContain(ANSWER);
      expect(fake.requests).toHaveLength(asked + 1); // replays ask the model nothing
    },
    TEST_MS,
  );
});
