/**
 * A presentation a projector can carry, in real Chromium against a real node (built client,
 * helmet's CSP) and a fake LLM: the owner opens the join screen (code, address, QR code); two
 * viewers join by the code (typed on the home page, and as `/j/<code>`); a viewer's empty queue
 * says what they can do; an anonymous question shows no name; an upvote is taken back; the asker
 * edits and withdraws their own questions; a dismissed question's asker alone is told; with
 * "approve first" on, a question reaches only its asker and the presenters until approved; the
 * question being answered is highlighted everywhere, then listed as answered, and restored.
 * Also: guessing codes is rate-limited.
 * One story: each step starts where the last ended.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { screenshot } from "./helpers/browser.ts";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { confirmName, joinRoom, live, newPage, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { createRoom } from "./helpers/rooms-http.ts";
import { tokenScript } from "./helpers/upstream-scripts.ts";

const LOOKUPS_PER_MINUTE = 8;
const stage = useBrowserStage({ JOIN_CODE_LOOKUPS_PER_IP_PER_MINUTE: String(LOOKUPS_PER_MINUTE), TRUST_PROXY: "1" });
const pageErrors: string[] = [];

const Q1 = "Does the answer stream to every node at once?";
const Q1_EDITED = "Does the answer reach every node at the same moment?";
const Q2 = "Is there a recording afterwards?";
const Q3 = "What is your favourite colour?";
const Q4 = "Which LLM servers does it support?";

let roomId = "";
let code = "";
let owner: Page;
let presenter: Page;
let vic: Page;
let wes: Page;
const everyone = (): Page[] => [owner, presenter, vic, wes];

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

const queueItem = (page: Page, text: string): Locator => page.getByTestId("queue-item").filter({ hasText: text });
const toast = (page: Page, text: string): Locator => page.locator(".toast").filter({ hasText: text });

async function ask(page: Page, text: string, anonymous = false): Promise<void> {
  await page.getByRole("textbox", { name: "Question for the presenter" }).fill(text);
  await page.getByTestId("ask-anonymous").setChecked(anonymous);
  await page.getByRole("button", { name: "Ask the presenter" }).click();
}

/** Everything the page's sockets received, as one string. */
function receivedFrames(page: Page): Promise<string> {
  return page.evaluate(() => (window.__recordedSockets ?? []).flatMap((socket) => socket.received).join("\n"));
}

async function expectEverywhere(check: (page: Page) => Promise<void>): Promise<void> {
  for (const page of everyone()) await check(page);
}

describe("a presentation on a projector: join by code, and the audience's own questions", () => {
  it("the owner's join screen shows the code, the short address and a QR code", async () => {
    const created = await createRoom(stage.node.url, { title: "Live answers", mode: "presentation" });
    roomId = created.room.id;
    [owner, presenter] = await Promise.all([
      newPage(stage.browser, pageErrors).then((page) => joinRoom(page, stage.node.url + created.links.owner, "Olga")),
      newPage(stage.browser, pageErrors).then((page) =>
        joinRoom(page, stage.node.url + created.links.presenter, "Pia"),
      ),
    ]);
    await owner.getByTestId("open-join-screen").click();
    const joinCode = owner.getByTestId("join-code");
    await joinCode.waitFor({ timeout: UI_TIMEOUT_MS });
    code = await joinCode.innerText();
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
    expect(await owner.getByTestId("join-address").innerText()).toBe(`127.0.0.1:${stage.node.port}/j/${code}`);
    const qr = owner.getByTestId("join-qr");
    expect(await qr.locator("path").getAttribute("d")).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect((await qr.boundingBox())!.width).toBeGreaterThan(300);
    await screenshot(owner, "presentation-join-screen", { fullPage: false });
    // The presenter's screen shows the same code (one per room).
    await presenter.getByTestId("open-join-screen").click();
    await expect.poll(() => presenter.getByTestId("join-code").innerText(), { timeout: UI_TIMEOUT_MS }).toBe(code);
    for (const page of [owner, presenter]) {
      await page.keyboard.press("Escape");
      await page.getByTestId("join-screen").waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
    }
  });

  it("viewers join by the code: typed on the home page, or as /j/<code>; a wrong code says so", async () => {
    vic = await newPage(stage.browser, pageErrors, { recordSockets: true });
    await vic.goto(`${stage.node.url}/j/ZZZZZZ`);
    await expect
      .poll(() => vic.locator(".notice").innerText(), { timeout: UI_TIMEOUT_MS })
      .toContain("No live room has this join code");
    const form = vic.getByTestId("join-code-form");
    await form.getByRole("textbox").fill(`${code.slice(0, 3).toLowerCase()}-${code.slice(3)}`);
    await screenshot(vic, "presentation-home-code");
    await form.getByRole("button", { name: "Join" }).click();
    await confirmName(vic, "Vic");
    expect(new URL(vic.url()).pathname).toBe(`/r/${roomId}`);

    wes = await joinRoom(await newPage(stage.browser, pageErrors), `${stage.node.url}/j/${code}`, "Wes");
    expect(new URL(wes.url()).pathname).toBe(`/r/${roomId}`);
    expect(await wes.getByTestId("my-role").getAttribute("data-role")).toBe("viewer");
    // Viewers get no join screen button.
    expect(await wes.getByTestId("open-join-screen").count()).toBe(0);
  });

  it("a viewer's empty queue explains what they can do", async () => {
    const empty = vic.getByTestId("queue-empty");
    await empty.waitFor({ timeout: UI_TIMEOUT_MS });
    const text = await empty.innerText();
    for (const phrase of ["Ask the presenter", "anonymously", "take your vote back", "Edit or withdraw"])
      expect(text).toContain(phrase);
    expect(await presenter.getByTestId("queue-empty").innerText()).toContain("send one to the model");
    await screenshot(vic, "presentation-viewer-empty");
  });

  it("an anonymous question shows no name to anyone; an upvote is taken back with a second click", async () => {
    await ask(vic, Q1, true);
    await expectEverywhere(async (page) => {
      await queueItem(page, Q1).waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await queueItem(page, Q1).getByTestId("queue-author").innerText()).toMatch(/^Anonymous/);
      expect(await queueItem(page, Q1).innerText()).not.toContain("Vic");
    });
    expect(await queueItem(vic, Q1).getByTestId("queue-author").innerText()).toContain("yours");
    expect(await queueItem(wes, Q1).getByTestId("queue-withdraw").count()).toBe(0);

    const upvote = queueItem(wes, Q1).getByTestId("queue-vote");
    await upvote.click();
    await expect
      .poll(() => queueItem(presenter, Q1).getByTestId("queue-votes").innerText(), { timeout: UI_TIMEOUT_MS })
      .toBe("1");
    await upvote.click();
    await expect.poll(() => upvote.getAttribute("aria-pressed"), { timeout: UI_TIMEOUT_MS }).toBe("false");
    await expectEverywhere(async (page) => {
      await expect
        .poll(() => queueItem(page, Q1).getByTestId("queue-votes").innerText(), { timeout: UI_TIMEOUT_MS })
        .toBe("0");
    });
  });

  it("the asker edits one question and withdraws another; everyone sees it", async () => {
    await queueItem(vic, Q1).getByTestId("queue-edit").click();
    await vic.getByTestId("queue-edit-input").fill(Q1_EDITED);
    await screenshot(vic, "presentation-edit-question");
    await vic.getByRole("button", { name: "Save" }).click();
    await ask(vic, Q2);
    await expectEverywhere(async (page) => {
      await queueItem(page, Q1_EDITED).waitFor({ timeout: UI_TIMEOUT_MS });
      await queueItem(page, Q2).waitFor({ timeout: UI_TIMEOUT_MS });
    });
    expect(await queueItem(presenter, Q2).getByTestId("queue-author").innerText()).toBe("Vic");
    await queueItem(vic, Q2).getByTestId("queue-withdraw").click();
    await expectEverywhere(async (page) => {
      await expect.poll(() => page.getByTestId("queue-item").count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    });
  });

  it("a presenter dismisses a question: its asker is told, nobody else", async () => {
    await ask(wes, Q3);
    await queueItem(presenter, Q3).waitFor({ timeout: UI_TIMEOUT_MS });
    await queueItem(presenter, Q3).getByTestId("queue-dismiss").click();
    await toast(wes, "A presenter dismissed your question").waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await toast(wes, "dismissed").innerText()).toContain(Q3);
    await screenshot(wes, "presentation-dismissed-notice");
    await expect.poll(() => queueItem(vic, Q3).count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
    for (const page of [owner, presenter, vic]) expect(await toast(page, "dismissed").count()).toBe(0);
  });

  it("with approval on, a question reaches only its asker and the presenters until a presenter approves it", async () => {
    await owner.getByTestId("approve-questions").check();
    await toast(wes, "Olga changed the room settings").waitFor({ timeout: UI_TIMEOUT_MS });
    await ask(wes, Q4);
    await wes.getByTestId("awaiting-item").filter({ hasText: Q4 }).waitFor({ timeout: UI_TIMEOUT_MS });
    await presenter.getByTestId("pending-item").filter({ hasText: Q4 }).waitFor({ timeout: UI_TIMEOUT_MS });
    await owner.getByTestId("pending-item").filter({ hasText: Q4 }).waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshot(presenter, "presentation-approval");
    expect(await vic.getByText(Q4).count()).toBe(0);
    // Not hidden by the page: never sent to a viewer at all.
    expect(await receivedFrames(vic)).not.toContain(Q4.slice(0, 20));
    expect(await receivedFrames(vic)).toContain(Q1_EDITED.slice(0, 20)); // what it was sent is recorded
    expect(await wes.getByTestId("pending-questions").count()).toBe(0);

    await presenter.getByTestId("pending-approve").click();
    await expectEverywhere(async (page) => queueItem(page, Q4).waitFor({ timeout: UI_TIMEOUT_MS }));
    await wes.getByTestId("awaiting-approval").waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
    expect(await queueItem(wes, Q4).getByTestId("queue-withdraw").count()).toBe(1);
    await owner.getByTestId("approve-questions").uncheck();
  });

  it("the question being answered is highlighted for everyone, then marked as last answered", async () => {
    stage.fake.enqueue(
      tokenScript(["Yes: ", "every ", "node ", "gets ", "each ", "token."], {
        delayMs: 5,
        gateAfter: { tokens: 2, gate: "answering" },
      }),
    );
    await queueItem(presenter, Q1_EDITED).getByTestId("queue-send").click();
    await expectEverywhere(async (page) => {
      const current = page.getByTestId("current-question");
      await expect.poll(() => current.innerText(), { timeout: UI_TIMEOUT_MS }).toMatch(/Answering now/i);
      expect(await current.innerText()).toContain(Q1_EDITED);
      expect(await current.innerText()).toContain("asked by Anonymous");
    });
    await screenshot(owner, "presentation-current-question", { fullPage: false });
    stage.fake.release("answering");
    await expectEverywhere(async (page) => {
      await expect
        .poll(() => page.getByTestId("current-question").innerText(), { timeout: UI_TIMEOUT_MS })
        .toMatch(/Last answered/i);
    });
    await live(vic);
  });

  it("the answered question is listed for everyone; a presenter restores it to the queue", async () => {
    await expectEverywhere(async (page) => {
      await expect
        .poll(() => page.getByTestId("answered-questions").innerText(), { timeout: UI_TIMEOUT_MS })
        .toMatch(/Answered\s*1/);
    });
    expect(await queueItem(vic, Q1_EDITED).count()).toBe(0);
    await presenter.getByTestId("answered-questions").locator("summary").click();
    expect(await wes.getByTestId("answered-restore").count()).toBe(0);
    await screenshot(presenter, "presentation-answered");
    await presenter.getByTestId("answered-restore").click();
    await expectEverywhere(async (page) => {
      await queueItem(page, Q1_EDITED).waitFor({ timeout: UI_TIMEOUT_MS });
      await page.getByTestId("answered-questions").waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
    });
  });

  it("guessing join codes is rate-limited per address, with a clear error", async () => {
    const lookup = () =>
      fetch(`${stage.node.url}/api/join-codes/ZZZZZZ`, { headers: { "x-forwarded-for": "203.0.113.77" } });
    for (let i = 0; i < LOOKUPS_PER_MINUTE; i++) expect((await lookup()).status).toBe(404);
    const refused = await lookup();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toContain("join codes");
    // Another address still looks the real code up.
    const found = await fetch(`${stage.node.url}/api/join-codes/${code.toLowerCase()}`);
    expect(await found.json()).toEqual({ ok: true, roomId });
  });
});
