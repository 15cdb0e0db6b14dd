/**
 * Access control in real browsers (built client, node with TOKEN_SECRET, helmet's CSP): the
 * owner creates a private room with the home page form, makes a viewer invitation link in the
 * links panel; a guest with the link gets in as a viewer, one with the bare share link does not;
 * owner and guest download the transcript (credentials in headers), a bare request cannot; the
 * owner makes another invitation later, from the room's settings.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshot } from "./helpers/browser.ts";
import { closeContexts, joinRoom, newPage, UI_TIMEOUT_MS } from "./helpers/room-page.ts";
import { startNode, type ServerNode } from "./helpers/spawn-node.ts";

let node: ServerNode;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  node = await startNode({ TOKEN_SECRET: "browser-test-secret-of-32-characters-or-more" });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

describe("a private room in the browser", () => {
  it("an invitation link admits a viewer; the bare share link is refused", async () => {
    const owner = await newPage(browser, pageErrors);
    await owner.goto(node.url);
    await owner.getByPlaceholder("How others see you").fill("Olga");
    const form = owner.getByTestId("create-room-form");
    await form.getByLabel("Title").fill("Board meeting");
    await form.getByLabel(/Private room/).check();
    await form.getByRole("button", { name: "Create room" }).click();
    await owner.getByTestId("room-links").waitFor({ timeout: UI_TIMEOUT_MS });
    const share = await owner.getByTestId("share-link").inputValue();
    await owner.getByTestId("create-invite").click();
    const invite = owner.getByTestId("invite-link");
    await invite.waitFor({ timeout: UI_TIMEOUT_MS });
    const inviteUrl = await invite.inputValue();
    expect(inviteUrl).toMatch(/\/r\/board-meeting_[a-z0-9]+#token=[\w-]+\.[\w-]+\.[\w-]+$/);

    const guest = await joinRoom(await newPage(browser, pageErrors), inviteUrl, "Gus");
    expect(guest.url()).not.toContain("token="); // taken out of the address bar, like #key=
    await expect
      .poll(() => guest.getByTestId("role-counts").innerText(), { timeout: UI_TIMEOUT_MS })
      .toMatch(/1 viewer/);

    await owner.getByTestId("open-as-owner").click();
    await expect
      .poll(() => owner.getByTestId("my-role").getAttribute("data-role"), { timeout: UI_TIMEOUT_MS })
      .toBe("owner");
    // The private room's transcript links work for the owner (key) and the guest (token): the
    // client fetches them with its credentials in headers, where a bare link would get 403.
    for (const [page, testId] of [
      [owner, "transcript-md"],
      [guest, "transcript-json"],
    ] as const) {
      const [file] = await Promise.all([
        page.waitForEvent("download", { timeout: UI_TIMEOUT_MS }),
        page.getByTestId(testId).click(),
      ]);
      expect(file.suggestedFilename()).toMatch(/^board-meeting_[a-z0-9]+\.(md|json)$/);
      expect(await readFile((await file.path())!, "utf8")).toContain("Board meeting");
    }
    // Later, from the room's settings, the owner makes a participant invitation: it admits too.
    await owner.getByTestId("settings-button").click();
    const dialog = owner.getByTestId("settings-form");
    await dialog.getByTestId("invite-role").selectOption("participant");
    await dialog.getByTestId("create-invite").click();
    const laterInvite = await dialog.getByTestId("invite-link").inputValue({ timeout: UI_TIMEOUT_MS });
    expect(laterInvite).not.toBe(inviteUrl);
    await screenshot(owner, "settings-invite");
    const late = await joinRoom(await newPage(browser, pageErrors), laterInvite, "Lia");
    await expect
      .poll(() => late.getByTestId("my-role").getAttribute("data-role"), { timeout: UI_TIMEOUT_MS })
      .toBe("participant");

    // The owner withdraws every invitation (say one leaked): both guests are dropped and told why;
    // the owner (key) stays.
    await dialog.getByTestId("withdraw-invitations").click();
    await dialog.getByTestId("withdraw-confirm").click();
    await owner.getByText(/Invitation links withdrawn; 2 people removed/).waitFor({ timeout: UI_TIMEOUT_MS });
    for (const page of [guest, late])
      await page
        .getByText(/withdrawn by the room's owner/)
        .first()
        .waitFor({ timeout: UI_TIMEOUT_MS });
    await screenshot(late, "invitation-withdrawn");
    await owner.keyboard.press("Escape");
    await expect
      .poll(() => owner.getByTestId("role-counts").innerText(), { timeout: UI_TIMEOUT_MS })
      .not.toMatch(/viewer|participant/);

    const bare = await fetch(
      `${node.url}${new URL(share).pathname.replace("/r/", "/api/rooms/")}/transcript?format=md`,
    );
    expect(bare.status).toBe(403);

    const stranger = await newPage(browser, pageErrors);
    await stranger.goto(share);
    await stranger.getByPlaceholder("How others see you").fill("Sam");
    await stranger.getByRole("button", { name: "Join room" }).click();
    await stranger
      .getByText(/private/i)
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    expect(pageErrors).toEqual([]);
    await closeContexts([owner, guest, late, stranger]);
  });
});
