/**
 * Real Chromium, real server: in a room of more members than presence lists, the member list
 * offers "Show all N", which pages through `room:members` (200 at a time, "Show more" for the
 * rest) and can be closed again.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { useBrowserStage } from "./helpers/browser-stage.ts";
import { closeAllMembers, joinAs } from "./helpers/room-member.ts";
import { closeContexts, joinRoom, newPage, UI_TIMEOUT_MS } from "./helpers/room-page.ts";

const ROOM = "big-audience";
/** Past one page of 200, so that the list takes two. */
const CROWD = 230;
const stage = useBrowserStage();
const pageErrors: string[] = [];

beforeAll(async () => {
  for (let start = 0; start < CROWD; start += 50) {
    const batch = Array.from({ length: Math.min(50, CROWD - start) }, (_, j) => start + j);
    await Promise.all(batch.map((i) => joinAs(stage.node.url, { roomId: ROOM, name: `guest-${i}` })));
  }
}, 60_000);

afterAll(() => closeAllMembers());

it("'Show all N' lists everyone page by page, and hides again", async () => {
  const page = await joinRoom(await newPage(stage.browser, pageErrors), `${stage.node.url}/r/${ROOM}`, "Ada");
  const total = CROWD + 1;
  const showAll = page.getByRole("button", { name: `Show all ${total}` });
  await showAll.waitFor({ timeout: UI_TIMEOUT_MS });
  expect(await showAll.getAttribute("aria-expanded")).toBe("false");
  await showAll.click();
  const everyone = page.getByRole("region", { name: "Everyone in this room" });
  await expect.poll(() => everyone.locator("li").count(), { timeout: UI_TIMEOUT_MS }).toBe(200);
  expect(await everyone.getByText(`200 of ${total} shown`).count()).toBe(1);
  await everyone.getByRole("button", { name: "Show more" }).click();
  await expect.poll(() => everyone.locator("li").count(), { timeout: UI_TIMEOUT_MS }).toBe(total);
  expect(await everyone.getByRole("button", { name: "Show more" }).count()).toBe(0);
  const names = await everyone.locator("li .name").allInnerTexts();
  expect(new Set(names).size).toBe(total);
  expect(names).toContain("Ada");
  const hide = page.getByRole("button", { name: "Hide the full list" });
  expect(await hide.getAttribute("aria-expanded")).toBe("true");
  await hide.click();
  expect(await everyone.count()).toBe(0);
  await closeContexts([page]);
  expect(pageErrors).toEqual([]);
});
