/**
 * The stage of a browser test file: a fake LLM, a node answering from it (model "fake-model") and
 * Chromium, started before the file's tests and stopped after them. Read the fields inside tests
 * and hooks (they are set by the time those run).
 */
import { afterAll, beforeAll } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { startNode, type ServerNode } from "./spawn-node.ts";

export interface BrowserStage {
  fake: FakeUpstream;
  node: ServerNode;
  browser: Browser;
}

export function useBrowserStage(env: Record<string, string> = {}): BrowserStage {
  const stage: Partial<BrowserStage> = {};
  beforeAll(async () => {
    stage.fake = await startFakeUpstream();
    stage.node = await startNode({ LLM_BASE_URL: stage.fake.url, LLM_MODEL: "fake-model", ...env });
    stage.browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await stage.browser?.close();
    await stage.node?.stop();
    await stage.fake?.close();
  });
  return stage as BrowserStage;
}
