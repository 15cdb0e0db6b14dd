/**
 * axe-core in a real page: the npm package's source is evaluated in the page (the app's CSP forbids
 * injected script tags, evaluation is not a script tag), then `axe.run` checks the whole document,
 * shadow roots included. Tests fail on serious and critical violations only.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const BLOCKING_IMPACTS = new Set(["serious", "critical"]);

/** One failed rule, with the elements that failed it, in words a test failure can show. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
}

/** Every serious or critical violation axe finds in `page` now (an empty list when there is none). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => "axe" in window);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run: (context: Document) => Promise<unknown> } }).axe.run(document),
  );
  return (result as AxeResult).violations
    .filter((violation) => BLOCKING_IMPACTS.has(violation.impact ?? ""))
    .map(({ id, impact, help, nodes }) => ({
      id,
      impact: impact ?? "",
      help,
      targets: nodes.map((node) => JSON.stringify(node.target)),
    }));
}
