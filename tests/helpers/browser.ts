/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser). Screenshots go to
 * test-artifacts/ at the repository root; the README's go to docs/screenshots/ too, but only when
 * UPDATE_SCREENSHOTS=1, so that normal runs leave the repository alone.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
export const README_SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const UPDATE_README_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

export async function screenshot(
  page: Page,
  name: string,
  { fullPage = true }: { fullPage?: boolean } = {},
): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage });
}

/**
 * A README screenshot (the viewport only): always to test-artifacts/, and to
 * docs/screenshots/<name>.png when UPDATE_SCREENSHOTS=1. Returns whether docs/ was written.
 */
export async function readmeScreenshot(page: Page, name: string): Promise<boolean> {
  await screenshot(page, `readme-${name}`, { fullPage: false });
  if (!UPDATE_README_SCREENSHOTS) return false;
  mkdirSync(README_SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${README_SCREENSHOTS}${name}.png`, fullPage: false });
  return true;
}
