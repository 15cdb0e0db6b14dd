/**
 * Rooms as a product in real Chromium, against a real node and a fake LLM: a presentation made
 * with the home page form, its owner, a presenter and two viewers each in their own browser
 * context (own storage: own keys, own client id). The viewers queue and upvote questions, the
 * presenter sends one (asked by / sent by), stops it, regenerates it; the owner renames the room;
 * presenter typing shows; the server refuses what a viewer forges on its own socket; the
 * transcript links download the conversation. One story: each step starts where the last ended.
 * Also the README's screenshots (docs/screenshots/, written only with UPDATE_SCREENSHOTS=1).
 */
import { readFile } from "node:fs/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { readmeScreenshot, screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import {
  answers,
  emitOnPageSocket,
  joinRoom,
  lastAnswer,
  live,
  newPage,
  questions,
  UI_TIMEOUT_MS,
} from "./helpers/room-page.ts";
import { problems } from "./helpers/spawn-node.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const TITLE = "Streaming LLM answers, live";
const NEW_TITLE = "Ask me anything: live streaming";
const Q1 = "How does everyone see the same answer at the same time?";
const Q2 = "Can I embed a live answer in my blog?";
const Q3 = "What happens if my connection drops mid-answer?";
const FIRST_ANSWER = ["Every ", "browser ", "joins ", "the ", "room ", "over ", "a ", "socket. "];
const FIRST_ANSWER_REST = ["The ", "server ", "never ", "gets ", "here."];
const CODE_ANSWER = [
  "The server asks the model **once** and fans every token out to the room:\n\n",
  "```ts\n",
  "for await (const token of upstream) {\n",
  '  io.to(room).emit("chat:delta", { seq: ++seq, text: token });\n',
  "}\n",
  "```\n\n",
  "Late joiners get the text so far, ",
];
const CODE_ANSWER_REST = ["then the live deltas. ", "Nothing is asked twice."];
const EMBED_ANSWER =
  "Because the first words arrive almost at once. The model takes as long to write its answer either way, but a " +
  "streamed answer can be read a fraction of a second after the question, not after the last word.\n\n" +
  "Reading is slower than generating, so the text stays just ahead of the reader's eyes: the wait becomes reading " +
  "time.\n\nAnd a reader judges early whether the answer is going where they hoped, ";
const EMBED_ANSWER_REST = "and can stop it if it is not.";

/** Text as tokens the way models send them: a word and the space after it. */
function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

const stage = useBrowserStage();
const pageErrors: string[] = [];

let roomId = "";
const links = { share: "", presenter: "", owner: "" };
let owner: Page;
let presenter: Page;
let vic: Page;
let wes: Page;
const everyone = (): Page[] => [owner, presenter, vic, wes];
const viewers = (): Page[] => [vic, wes];

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

// ---------- helpers ----------

const queueItem = (page: Page, text: string): Locator => page.getByTestId("queue-item").filter({ hasText: text });
const title = (page: Page): Promise<string> => page.locator(".header h1").innerText();

async function submitQuestion(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Question for the presenter" }).fill(text);
  await page.getByRole("button", { name: "Ask the presenter" }).click();
}

async function expectEverywhere(check: (page: Page) => Promise<void>): Promise<void> {
  for (const page of everyone()) await check(page);
}

/** Every page shows `tokens` as the last answer's text so far, still streaming, and nothing of `rest`. */
async function expectPartialAnswer(tokens: string[], rest: string[]): Promise<void> {
  const lastWords = tokens.at(-1)!.trim();
  await expectEverywhere(async (page) => {
    await expect.poll(() => lastAnswer(page).innerText(), { timeout: UI_TIMEOUT_MS }).toContain(lastWords);
    expect(await lastAnswer(page).getAttribute("data-status")).toBe("streaming");
    expect(await lastAnswer(page).innerText()).not.toContain(rest[0]!.trim());
    expect(await page.getByTestId("model-state").getAttribute("data-state")).toBe("streaming");
  });
}

// ---------- the story ----------

describe("a presentation: owner, presenter and audience in separate browsers", () => {
  it("the owner creates a presentation with the home page form and opens it from the links panel", async () => {
    owner = await newPage(stage.browser, pageErrors);
    await owner.goto(stage.node.url);
    await owner.getByPlaceholder("How others see you").fill("Olga");
    const form = owner.getByTestId("create-room-form");
    await form.getByLabel("Title").fill(TITLE);
    await form.locator('input[name="mode"][value="presentation"]').check();
    // Presentations default to "owner and presenters" for asking and stopping.
    expect(await form.getByLabel("Who may ask the model").inputValue()).toBe("presenters");
    await screenshot(owner, "rooms-home");
    await form.getByRole("button", { name: "Create room" }).click();

    const panel = owner.getByTestId("room-links");
    await panel.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await panel.innerText()).toContain("Presentation");
    links.share = await owner.getByTestId("share-link").inputValue();
    links.presenter = await owner.getByTestId("presenter-link").inputValue();
    links.owner = await owner.getByTestId("owner-link").inputValue();
    roomId = new URL(links.share).pathname.replace(/^\/r\//, "");
    expect(links.presenter).toMatch(new RegExp(`/r/${roomId}#key=.+`));
    expect(links.owner).toMatch(new RegExp(`/r/${roomId}#key=.+`));
    await screenshot(owner, "rooms-links");

    await owner.getByTestId("open-as-owner").click();
    await live(owner);
    expect(await owner.getByTestId("my-role").getAttribute("data-role")).toBe("owner");
    expect(await title(owner)).toBe(TITLE);
  });

  it("presenter and viewers join by their links, and each sees what their role may do", async () => {
    [presenter, vic, wes] = await Promise.all([
      newPage(stage.browser, pageErrors).then((page) => joinRoom(page, links.presenter, "Pia")),
      newPage(stage.browser, pageErrors, { recordSockets: true }).then((page) => joinRoom(page, links.share, "Vic")),
      newPage(stage.browser, pageErrors).then((page) => joinRoom(page, links.share, "Wes")),
    ]);
    const roles = await Promise.all(everyone().map((page) => page.getByTestId("my-role").getAttribute("data-role")));
    expect(roles).toEqual(["owner", "presenter", "viewer", "viewer"]);
    // The presenter link's key left the address bar (it is remembered in storage instead).
    expect(new URL(presenter.url()).hash).toBe("");

    for (const page of [owner, presenter]) {
      expect(await page.getByTestId("composer").count()).toBe(1);
      expect(await page.getByTestId("ask-form").count()).toBe(0);
    }
    for (const page of viewers()) {
      expect(await page.getByTestId("composer").count()).toBe(0);
      expect(await page.getByTestId("ask-form").count()).toBe(1);
      expect(await page.getByTestId("settings-button").count()).toBe(0);
    }
    expect(await owner.getByTestId("settings-button").count()).toBe(1);
    expect(await presenter.getByTestId("settings-button").count()).toBe(0);
    await expectEverywhere(async (page) => {
      await page.getByTestId("queue-panel").waitFor({ timeout: UI_TIMEOUT_MS });
      await expect
        .poll(() => page.getByTestId("role-counts").innerText(), { timeout: UI_TIMEOUT_MS })
        .toBe("1 owner · 1 presenter · 2 viewers");
    });
  });

  it("a viewer's question reaches every queue; another viewer upvotes it; only presenters may send or dismiss", async () => {
    await vic.getByRole("textbox", { name: "Question for the presenter" }).fill(Q1);
    await screenshot(vic, "rooms-viewer-ask");
    await vic.getByRole("button", { name: "Ask the presenter" }).click();
    await expectEverywhere(async (page) => {
      await queueItem(page, Q1).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await queueItem(page, Q1).innerText()).toContain("Vic");
    });

    const upvote = queueItem(wes, Q1).getByTestId("queue-vote");
    await upvote.click();
    await expect.poll(() => upvote.getAttribute("aria-pressed"), { timeout: UI_TIMEOUT_MS }).toBe("true");
    // A second click would take the vote back (tests/browser-presentation.test.ts).
    expect(await upvote.getAttribute("aria-label")).toMatch(/^Take back your vote/);
    await expectEverywhere(async (page) => {
      await expect
        .poll(() => queueItem(page, Q1).getByTestId("queue-votes").innerText(), { timeout: UI_TIMEOUT_MS })
        .toBe("1");
    });

    for (const page of viewers()) {
      expect(await page.getByTestId("queue-send").count()).toBe(0);
      expect(await page.getByTestId("queue-dismiss").count()).toBe(0);
    }
    expect(await queueItem(presenter, Q1).getByTestId("queue-send").isEnabled()).toBe(true);
    expect(await queueItem(presenter, Q1).getByTestId("queue-dismiss").isEnabled()).toBe(true);
    await screenshot(presenter, "rooms-presenter-queue");
  });

  it("the presenter sends it to the model: everyone sees who asked and who sent it, and the answer streaming", async () => {
    stage.fake.enqueue(
      tokenScript([...FIRST_ANSWER, ...FIRST_ANSWER_REST], {
        delayMs: 5,
        gateAfter: { tokens: FIRST_ANSWER.length, gate: "queued-answer" },
      }),
    );
    await queueItem(presenter, Q1).getByTestId("queue-send").click();

    await expectEverywhere(async (page) => {
      await expect.poll(() => questions(page).count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
      // The author's name once (Vic), then who sent it to the model.
      expect(await questions(page).getByTestId("asked-by").innerText()).toBe("sent by Pia");
      expect(await questions(page).locator("header").innerText()).not.toContain("asked by");
      expect(await questions(page).innerText()).toContain(Q1);
      // It left the queue.
      await expect.poll(() => page.getByTestId("queue-item").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    });
    await expectPartialAnswer(FIRST_ANSWER, FIRST_ANSWER_REST);

    // Stop is for those the room lets stop (owner and presenters), Regenerate for ended answers only.
    for (const page of [owner, presenter]) expect(await lastAnswer(page).getByTestId("stop-button").count()).toBe(1);
    for (const page of viewers()) expect(await lastAnswer(page).getByTestId("stop-button").count()).toBe(0);
    await expectEverywhere(async (page) => expect(await page.getByTestId("regenerate-button").count()).toBe(0));
    const upstreamMessages = (stage.fake.requests.at(-1)!.body as { messages: Array<{ content: string }> }).messages;
    expect(upstreamMessages.at(-1)!.content).toContain(Q1);
  });

  it("the presenter stops it: everyone sees who stopped it, and the request to the model is closed", async () => {
    const request = stage.fake.requests.length - 1;
    await lastAnswer(presenter).getByTestId("stop-button").click();
    await expectEverywhere(async (page) => {
      await expect.poll(() => lastAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("stopped");
      expect(await lastAnswer(page).innerText()).toContain("Stopped by Pia");
      expect(await lastAnswer(page).innerText()).toContain("Every browser joins the room over a socket.");
      await expect
        .poll(() => page.getByTestId("model-state").getAttribute("data-state"), { timeout: UI_TIMEOUT_MS })
        .toBe("idle");
    });
    await stage.fake.waitForClosed(request, UI_TIMEOUT_MS);
    for (const page of viewers()) expect(await page.getByTestId("regenerate-button").count()).toBe(0);
    for (const page of [owner, presenter]) expect(await page.getByTestId("regenerate-button").count()).toBe(1);
  });

  it("the presenter regenerates: a new answer streams (with a code block) marked as regenerated, the old one still reachable", async () => {
    // More questions for the queue beside the answer (and the README screenshot).
    await submitQuestion(wes, Q2);
    await submitQuestion(vic, Q3);
    await expect.poll(() => presenter.getByTestId("queue-item").count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
    for (const page of [wes, owner]) await queueItem(page, Q3).getByTestId("queue-vote").click();
    await queueItem(vic, Q2).getByTestId("queue-vote").click();
    await expect
      .poll(() => presenter.getByTestId("queue-item").first().innerText(), { timeout: UI_TIMEOUT_MS })
      .toContain(Q3);
    await expect
      .poll(() => queueItem(presenter, Q3).getByTestId("queue-votes").innerText(), { timeout: UI_TIMEOUT_MS })
      .toBe("2");

    stage.fake.enqueue(
      tokenScript([...CODE_ANSWER, ...CODE_ANSWER_REST], {
        delayMs: 5,
        gateAfter: { tokens: CODE_ANSWER.length, gate: "regenerated" },
      }),
    );
    const oldAnswerId = await answers(presenter).first().getAttribute("data-id");
    await answers(presenter).first().getByTestId("regenerate-button").click();

    await expectEverywhere(async (page) => {
      await expect.poll(() => answers(page).count(), { timeout: UI_TIMEOUT_MS }).toBe(2);
      expect(await lastAnswer(page).getByTestId("regenerated-note").innerText()).toContain("Regenerated by Pia");
    });
    await expectPartialAnswer(CODE_ANSWER, CODE_ANSWER_REST);
    await expectEverywhere(async (page) => {
      expect(await lastAnswer(page).locator("pre code").innerText()).toContain('io.to(room).emit("chat:delta"');
    });
    await screenshot(wes, "rooms-streaming-code");
    await readmeScreenshot(presenter, "presentation");

    stage.fake.release("regenerated");
    await expectEverywhere(async (page) => {
      await expect.poll(() => lastAnswer(page).getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
      expect(await lastAnswer(page).innerText()).toContain("Nothing is asked twice.");
    });
    const finals = await Promise.all(everyone().map((page) => lastAnswer(page).locator(".markdown").innerText()));
    expect(new Set(finals).size).toBe(1);

    // The old answer stays, marked as replaced, linked both ways.
    const old = answers(owner).first();
    expect(await old.getAttribute("data-id")).toBe(oldAnswerId);
    expect(await old.getAttribute("data-status")).toBe("stopped");
    expect(await old.getByTestId("replaced-note").innerText()).toContain("Replaced by a newer answer");
    await lastAnswer(owner).getByTestId("regenerated-note").getByRole("link", { name: "previous answer" }).click();
    await expect.poll(() => old.getAttribute("class"), { timeout: UI_TIMEOUT_MS }).toContain("highlight");
    // The model was asked the same question again, without the replaced answer.
    const upstream = (stage.fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> })
      .messages;
    expect(upstream.at(-1)).toMatchObject({ role: "user", content: expect.stringContaining(Q1) });
    expect(JSON.stringify(upstream)).not.toContain("Every browser joins");
  });

  it("presenter typing shows the typing indicator to the others, and clears", async () => {
    const others = [owner, vic, wes];
    const composer = presenter.getByRole("textbox", { name: "Message" });
    await composer.fill("Next, let me show");
    for (const page of others) {
      await expect
        .poll(
          () =>
            page
              .getByTestId("typing-indicator")
              .innerText()
              .catch(() => ""),
          { timeout: UI_TIMEOUT_MS },
        )
        .toContain("Pia is typing…");
    }
    await composer.fill("");
    for (const page of others) {
      await expect.poll(() => page.getByTestId("typing-indicator").count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    }
  });

  it("the owner renames the room in its settings, and everyone sees the new title live", async () => {
    await owner.getByTestId("settings-button").click();
    const form = owner.getByTestId("settings-form");
    await form.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await form.getByLabel("Title").inputValue()).toBe(TITLE);
    await form.getByLabel("Title").fill(NEW_TITLE);
    await screenshot(owner, "rooms-owner-settings", { fullPage: false });
    await owner.getByTestId("settings-save").click();
    // First, as the notice lasts 3 s.
    await expect
      .poll(() => vic.getByRole("status").filter({ hasText: "Olga changed the room settings." }).count(), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(1);
    await expect.poll(() => form.count(), { timeout: UI_TIMEOUT_MS }).toBe(0);

    await expectEverywhere(async (page) => {
      await expect.poll(() => title(page), { timeout: UI_TIMEOUT_MS }).toBe(NEW_TITLE);
      expect(await page.title()).toBe(`${NEW_TITLE} · Tokencast`);
    });
  });

  it("what a viewer forges on its own socket is refused by the server", async () => {
    const before = stage.fake.requests.length;
    const send = (await emitOnPageSocket(vic, "chat:send", { roomId, text: "forged question" })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(send).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const rename = (await emitOnPageSocket(vic, "room:update", { roomId, settings: { title: "Hijacked" } })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(rename).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const sendQueued = (await emitOnPageSocket(vic, "queue:send", {
      roomId,
      questionId: await queueItem(vic, Q3).getAttribute("data-question-id"),
    })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(sendQueued).toMatchObject({ ok: false, error: { code: "forbidden" } });

    // Nothing reached the model or anyone's screen, and the viewer is still connected.
    expect(stage.fake.requests.length).toBe(before);
    const described = (await (await fetch(`${stage.node.url}/api/rooms/${roomId}`)).json()) as {
      room: { settings: { title: string } };
      messageCount: number;
    };
    expect(described).toMatchObject({ room: { settings: { title: NEW_TITLE } }, messageCount: 3 });
    expect(await presenter.getByTestId("queue-item").count()).toBe(2);
    expect(await vic.locator('.header [data-state="live"]').count()).toBe(1);
  });

  it("the transcript links download the conversation as Markdown and JSON", async () => {
    // Anyone in the room may download: the viewer takes the Markdown, the owner the JSON.
    const fetchDownload = async (page: Page, testId: string) => {
      const [file] = await Promise.all([
        page.waitForEvent("download", { timeout: UI_TIMEOUT_MS }),
        page.getByTestId(testId).click(),
      ]);
      return { name: file.suggestedFilename(), text: await readFile((await file.path())!, "utf8") };
    };

    const md = await fetchDownload(vic, "transcript-md");
    expect(md.name).toBe(`${roomId}.md`);
    expect(md.text).toContain(`# ${NEW_TITLE}`);
    expect(md.text).toContain("## Vic (from the queue, sent by Pia)");
    expect(md.text).toContain(`> ${Q1}`);
    expect(md.text).toContain("Every browser joins the room over a socket.");
    expect(md.text).toContain("stopped by Pia");
    expect(md.text).toContain("regenerated by Pia");
    expect(md.text).toContain('io.to(room).emit("chat:delta"');

    const json = await fetchDownload(owner, "transcript-json");
    expect(json.name).toBe(`${roomId}.json`);
    const transcript = JSON.parse(json.text) as {
      room: { id: string; title: string; mode: string };
      messages: Array<Record<string, unknown>>;
    };
    expect(transcript.room).toMatchObject({ id: roomId, title: NEW_TITLE, mode: "presentation" });
    expect(transcript.messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "done"],
      ["assistant", "stopped"],
      ["assistant", "done"],
    ]);
    expect(transcript.messages[0]).toMatchObject({ author: "Vic", sentBy: "Pia", text: Q1 });
    expect(transcript.messages[1]).toMatchObject({ stoppedBy: "Pia" });
    expect(transcript.messages[2]).toMatchObject({
      regeneratedBy: "Pia",
      regenerates: transcript.messages[1]!.id,
      text: [...CODE_ANSWER, ...CODE_ANSWER_REST].join(""),
    });
    expect(problems(stage.node)).toEqual([]);
  });
});

describe("the embed demo page", () => {
  it("streams a live answer into the element once it is scrolled into view", async () => {
    const first = words(EMBED_ANSWER);
    const rest = words(EMBED_ANSWER_REST);
    stage.fake.enqueue(
      tokenScript([...first, ...rest], { delayMs: 5, gateAfter: { tokens: first.length, gate: "embed-demo" } }),
    );
    const page = await newPage(stage.browser, pageErrors);
    await page.goto(`${stage.node.url}/embed/demo.html`);
    const element = page.locator("streaming-chat");
    await element.scrollIntoViewIfNeeded({ timeout: UI_TIMEOUT_MS });
    const answer = page.locator("streaming-chat article.message.assistant").last();
    await expect
      .poll(() => answer.innerText().catch(() => ""), { timeout: UI_TIMEOUT_MS })
      .toContain("going where they hoped,");
    expect(await answer.getAttribute("data-status")).toBe("streaming");
    await element.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await readmeScreenshot(page, "embed");

    stage.fake.release("embed-demo");
    await expect.poll(() => answer.getAttribute("data-status"), { timeout: UI_TIMEOUT_MS }).toBe("done");
    expect(await answer.innerText()).toContain("stop it if it is not.");
  });
});
