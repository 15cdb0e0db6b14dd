/**
 * The browser half of bench/markdown.ts, bundled by it and run in Chromium: sanitizing with the
 * browser's own DOMPurify, and the DOM update including layout.
 */
import { incremental, incrementalIntoDom, timeLevels, wholeText, wholeTextIntoDom } from "./lib/markdown-timing.ts";
import { markdownEngine } from "../packages/client/src/lib/markdown.ts";

export function run(deltas: string[], warmUp: string[]): Array<[string, string, number[]]> {
  return timeLevels(
    [
      {
        name: "+ DOMPurify (Chromium)",
        old: () => wholeText(markdownEngine),
        incremental: () => incremental(markdownEngine),
      },
      { name: "+ DOM update and layout (Chromium)", old: wholeTextIntoDom, incremental: incrementalIntoDom },
    ],
    deltas,
    warmUp,
  );
}
