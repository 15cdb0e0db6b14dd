/**
 * Client-side Markdown rendering cost per delta: the old way (render the whole answer again on
 * every delta) against the incremental renderer (packages/client/src/lib/streaming-markdown.ts:
 * finished blocks once, only the growing tail again). An answer of ANSWER_CHARS of mixed Markdown
 * (packages/client/src/lib/testing/markdown-samples.ts) arrives in 2–10 character deltas.
 * Also the smooth reveal's cost (lib/smooth-reveal.ts): deltas batched as the server's longest window
 * does, each batch revealed over 60 fps frames; one render per frame that shows more text.
 * Prints a Markdown table; nothing is asserted.
 *
 *   npx tsx bench/markdown.ts
 *
 * Levels: the HTML alone (marked + highlight.js) in Node; then, in Debian's Chromium (the same
 * code bundled with the client's Vite), plus DOMPurify, and plus the DOM update and layout.
 * Chromium's clock is coarsened to 0.1 ms, so sub-0.1 ms per-delta figures there read as 0 or 0.1.
 */
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { longAnswer, splitIntoDeltas } from "../packages/client/src/lib/testing/markdown-samples.ts";
import { htmlOnly, incremental, timeLevels, wholeText } from "./lib/markdown-timing.ts";
import { timeRevealLevel, type Batching } from "./lib/reveal-timing.ts";
import { summarize } from "./lib/stats.ts";

const ANSWER_CHARS = 8_000;
const DELTA_CHARS = { min: 2, max: 10 };
const SEED = 1;
/** As the server batches 50 tok/s at its longest coalescing window, for the smooth-reveal rows. */
const REVEAL_BATCHING: Batching = { deltas: 8, windowMs: 150 };
const ROOT = fileURLToPath(new URL("..", import.meta.url));

type Rows = Array<[string, string, number[]]>;

/** The part of Vite's API used here (bench does not depend on Vite itself). */
interface Vite {
  build(config: object): Promise<{ output: Array<{ type: string; code?: string }> } | unknown[]>;
}

/** The browser half as one script, built with the client's Vite (the client's dependency). */
async function bundlePage(): Promise<string> {
  const requireFromClient = createRequire(new URL("../packages/client/package.json", import.meta.url));
  const vitePackage = requireFromClient.resolve("vite/package.json");
  const vite = (await import(pathToFileURL(vitePackage.replace(/package\.json$/, "dist/node/index.js")).href)) as Vite;
  const built = await vite.build({
    root: ROOT,
    configFile: false,
    logLevel: "silent",
    build: {
      write: false,
      lib: { entry: "bench/markdown-page.ts", formats: ["iife"], name: "markdownBench", fileName: "markdown-page" },
    },
  });
  const output = (Array.isArray(built) ? built[0] : built) as { output: Array<{ type: string; code?: string }> };
  const chunk = output.output.find((file) => file.type === "chunk");
  if (!chunk?.code) throw new Error("bench/markdown-page.ts did not bundle");
  return chunk.code;
}

async function inChromium(deltas: string[], warmUp: string[], batching: Batching): Promise<Rows> {
  const script = await bundlePage();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ content: script });
    type Run = (d: string[], w: string[], b: Batching) => Rows;
    return await page.evaluate(
      ([d, w, b]) => (window as unknown as { markdownBench: { run: Run } }).markdownBench.run(d, w, b),
      [deltas, warmUp, batching] as const,
    );
  } finally {
    await browser.close();
  }
}

const ms = (value: number): string => value.toFixed(value < 10 ? 2 : 0);

function row([level, approach, times]: [string, string, number[]]): string {
  const total = times.reduce((sum, time) => sum + time, 0);
  const { p50, p99, max } = summarize(times);
  return `| ${level} | ${approach} | ${ms(total)} | ${ms(p50)} | ${ms(p99)} | ${ms(max)} |`;
}

async function main(): Promise<void> {
  const answer = longAnswer(ANSWER_CHARS);
  const deltas = splitIntoDeltas(answer, DELTA_CHARS.min, DELTA_CHARS.max, SEED);
  const warmUp = splitIntoDeltas(answer.slice(0, 2_000), DELTA_CHARS.min, DELTA_CHARS.max, SEED);
  const inNode = timeLevels(
    [
      {
        name: "HTML (marked + highlight.js, Node)",
        old: () => wholeText(htmlOnly),
        incremental: () => incremental(htmlOnly),
      },
    ],
    deltas,
    warmUp,
  );
  const revealInNode = timeRevealLevel(
    "HTML (Node)",
    { old: () => wholeText(htmlOnly), incremental: () => incremental(htmlOnly) },
    deltas,
    REVEAL_BATCHING,
  );
  const browserRows = await inChromium(deltas, warmUp, REVEAL_BATCHING);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`${cpu}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  const sizes = `${DELTA_CHARS.min}–${DELTA_CHARS.max} characters`;
  console.log(`${answer.length} characters of Markdown in ${deltas.length} deltas of ${sizes}\n`);
  console.log("| level | approach | total ms | per delta (or frame) p50 ms | p99 ms | max ms |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const result of [...inNode, ...revealInNode, ...browserRows]) console.log(row(result));
}

await main();
