/**
 * The browser half of bench/markdown.ts, bundled by it and run in Chromium: sanitizing with the
 * browser's own DOMPurify, and the DOM update including layout, per delta and per reveal frame.
 */
import { incremental, incrementalIntoDom, timeLevels, wholeText, wholeTextIntoDom } from "./lib/markdown-timing.ts";
import { markdownEngine } from "../packages/client/src/lib/markdown.ts";
import { timeRevealLevel, type Batching } from "./lib/reveal-timing.ts";

export function run(deltas: string[], warmUp: string[], batching: Batching): Array<[string, string, number[]]> {
  const dom = { old: wholeTextIntoDom, incremental: incrementalIntoDom };
  return [
    ...timeLevels(
      [
        {
          name: "+ DOMPurify (Chromium)",
          old: () => wholeText(markdownEngine),
          incremental: () => incremental(markdownEngine),
        },
        { name: "+ DOM update and layout (Chromium)", ...dom },
      ],
      deltas,
      warmUp,
    ),
    ...timeRevealLevel("+ DOM update and layout (Chromium)", dom, deltas, batching),
  ];
}
