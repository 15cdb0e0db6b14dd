import { describe, expect, it } from "vitest";
import { MAX_WINDOW_MS } from "./arrival-window.ts";
import { SmoothReveal } from "./smooth-reveal.ts";
import { manualFrames } from "./testing/manual-frames.ts";

const FRAME_MS = 16;
const WORDS = "The quick brown fox jumps over the lazy dog, then naps in the sun for a while. ";
const ANSWER = WORDS.repeat(8);
const MIXED = "Emoji 👩‍👩‍👧 and é (e + accent), 你好世界，再见。 Flags 🇫🇷🇩🇪 done. ".repeat(6);

interface Batch {
  at: number;
  length: number;
}

/** A reveal on a fake clock whose frames run every FRAME_MS; records every text it shows. */
function stage({ reduced = false } = {}) {
  let clock = 0;
  const frames = manualFrames();
  const shown: string[] = [];
  const batches: Batch[] = [];
  const reveal = new SmoothReveal("", (text) => shown.push(text), {
    frames,
    now: () => clock,
    reducedMotion: () => reduced,
  });
  const latest = (): string => shown.at(-1) ?? "";
  return {
    shown,
    batches,
    reveal,
    frames,
    latest,
    push(text: string): void {
      batches.push({ at: clock, length: text.length });
      reveal.push(text);
    },
    /** Moves the clock on without running a frame (a hidden tab gets none). */
    clock(ms: number): void {
      clock += ms;
    },
    /** Runs frames for `ms`, calling `check` after each one. */
    wait(ms: number, check: (now: number) => void = () => {}): void {
      for (const end = clock + ms; clock < end;) {
        clock += FRAME_MS;
        frames.run();
        check(clock);
      }
    },
  };
}

/** `text` cut into batches of `size` characters (at grapheme boundaries), each one the text so far. */
function cumulativeBatches(text: string, size: number): string[] {
  const cuts: string[] = [];
  let sofar = "";
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)) {
    sofar += segment;
    if (sofar.length >= (cuts.length + 1) * size) cuts.push(sofar);
  }
  if (cuts.at(-1) !== text) cuts.push(text);
  return cuts;
}

/** Streams `text` in batches `gaps()` apart; asserts after every frame that nothing is later than `behind(gap)`. */
function stream(text: string, size: number, gaps: () => number, behindMs: (gap: number) => number) {
  const run = stage();
  let gap = gaps();
  for (const batch of cumulativeBatches(text, size)) {
    run.wait(gap, (now) => {
      const due = run.batches.filter((arrived) => now >= arrived.at + behindMs(gap));
      const owed = Math.max(0, ...due.map((arrived) => arrived.length));
      expect(run.latest().length).toBeGreaterThanOrEqual(owed);
    });
    run.push(batch);
    gap = gaps();
  }
  run.wait(MAX_WINDOW_MS * 2);
  return run;
}

describe("SmoothReveal", () => {
  it("shows a batch in more steps than batches arrive, ending identical to what arrived", () => {
    const run = stream(
      ANSWER,
      60,
      () => 150,
      (gap) => gap,
    );
    expect(run.latest()).toBe(ANSWER);
    expect(run.frames.pending).toBe(0);
    expect(run.batches.length).toBeGreaterThan(5);
    expect(new Set(run.shown).size).toBeGreaterThan(run.batches.length * 3);
  });

  it("is never more than one window behind, even with uneven gaps between batches", () => {
    let seed = 7;
    const jittery = (): number => 20 + ((seed = (seed * 48_271) % 2_147_483_647) % 200);
    const run = stream(ANSWER, 40, jittery, () => MAX_WINDOW_MS);
    expect(run.latest()).toBe(ANSWER);
  });

  it("cuts only between words, never inside a grapheme (emoji sequences, accents, CJK)", () => {
    const run = stream(
      MIXED,
      30,
      () => 120,
      (gap) => gap,
    );
    const graphemeEnds = new Set([...new Intl.Segmenter().segment(MIXED)].map(({ index }) => index));
    const batchEnds = new Set(run.batches.map((batch) => batch.length));
    for (const text of run.shown) {
      expect(graphemeEnds.has(text.length) || text.length === MIXED.length).toBe(true);
      expect(MIXED.startsWith(text)).toBe(true);
    }
    const midWord = run.shown.filter((text) => /\w$/.test(text) && /^\w/.test(MIXED.slice(text.length)));
    expect(midWord.filter((text) => !batchEnds.has(text.length))).toEqual([]);
    expect(run.latest()).toBe(MIXED);
  });

  it("shows each batch whole at the next frame when the viewer prefers reduced motion", () => {
    const run = stage({ reduced: true });
    for (const batch of cumulativeBatches(ANSWER, 60)) {
      run.push(batch);
      run.wait(FRAME_MS);
      expect(run.latest()).toBe(batch);
      expect(run.frames.pending).toBe(0);
      run.wait(150);
    }
    expect(run.shown.length).toBe(run.batches.length);
  });

  it("shows a finished (stopped, ended, failed) answer whole at once, and stops revealing", () => {
    const run = stage();
    run.wait(150);
    run.push(ANSWER.slice(0, 200));
    run.wait(FRAME_MS);
    expect(run.latest().length).toBeLessThan(200);
    run.reveal.finish(ANSWER.slice(0, 230));
    expect(run.latest()).toBe(ANSWER.slice(0, 230));
    expect(run.frames.pending).toBe(0);
  });

  it("shows a text that does not extend what is shown (a reset) at once", () => {
    const run = stage();
    run.wait(150);
    run.push(ANSWER.slice(0, 200));
    run.wait(FRAME_MS * 2);
    run.push("Something else entirely");
    expect(run.latest()).toBe("Something else entirely");
  });

  it("keeps a bounded backlog while no frame runs (a hidden tab), then shows everything at the first frame", () => {
    const run = stage();
    const batches = cumulativeBatches(ANSWER.repeat(20), 12);
    for (const text of batches) {
      run.push(text);
      run.clock(30);
    }
    expect(run.reveal.pending).toBeLessThanOrEqual(Math.ceil(MAX_WINDOW_MS / 30) + 1);
    run.wait(FRAME_MS);
    expect(run.latest()).toBe(batches.at(-1));
  });

  it("starts from the text already on screen", () => {
    const shown: string[] = [];
    const frames = manualFrames();
    const reveal = new SmoothReveal(ANSWER.slice(0, 100), (text) => shown.push(text), { frames, now: () => 0 });
    expect(reveal.visible).toBe(ANSWER.slice(0, 100));
    reveal.push(ANSWER.slice(0, 100));
    expect(frames.pending).toBe(0);
    expect(shown).toEqual([]);
  });
});
