import { describe, expect, it } from "vitest";
import { PACED_MS_PER_TURN, ReplyPacer } from "./reply-pacer.ts";

/** What reading and serialising a large reply does to the loop: holds it for a while. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Counts loop turns: a chain of immediates, one per turn, until stopped. */
function loopTurns(): { count: () => number; stop: () => void } {
  let turns = 0;
  let running = true;
  const next = () => {
    turns += 1;
    if (running) setImmediate(next);
  };
  setImmediate(next);
  return { count: () => turns, stop: () => (running = false) };
}

describe("ReplyPacer", () => {
  it("lets a due timer run between any two replies that each spend a turn's budget, in the order they asked", async () => {
    const pacer = new ReplyPacer();
    const sent: Array<{ reply: number; ticks: number }> = [];
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1); // a live answer's coalescing timer, say
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all(
      Array.from({ length: 10 }, (_, reply) =>
        pacer.turn().then(() => {
          sent.push({ reply, ticks });
          busyFor(PACED_MS_PER_TURN);
        }),
      ),
    );
    clearInterval(ticker);
    expect(sent.map((s) => s.reply)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Without pacing all ten would go in one go, seeing one tick count; paced, the timer runs between each two.
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.ticks).toBeGreaterThan(sent[i - 1]!.ticks);
  });

  it("sends small replies several to a turn, each finished before the next looks at the clock", async () => {
    let clock = 0;
    const pacer = new ReplyPacer(4, () => clock);
    const turns = loopTurns();
    const seen: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, () =>
        pacer.turn().then(async () => {
          await Promise.resolve(); // a read that answers in a microtask (the memory store)
          seen.push(turns.count());
          clock += 1; // …and a reply that takes 1 ms to serialise and write
        }),
      ),
    );
    turns.stop();
    // 4 ms a turn: replies 0–3 in one turn, 4–7 in the next, 8–9 in a third.
    const byTurn = [...new Set(seen)].map((turn) => seen.filter((t) => t === turn).length);
    expect(byTurn).toEqual([4, 4, 2]);
  });

  it("lets a reply's second turn (after its read) go on at once while the run has time left", async () => {
    let clock = 0;
    const pacer = new ReplyPacer(4, () => clock);
    await pacer.turn();
    clock += 1;
    let resolved = false;
    void pacer.turn().then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(true);
    clock += 4;
    let late = false;
    void pacer.turn().then(() => (late = true));
    await Promise.resolve();
    expect(late).toBe(false);
  });
});
