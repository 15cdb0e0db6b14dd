import { describe, expect, it } from "vitest";
import { ReplyPacer } from "./reply-pacer.ts";

/** What reading and serialising a large reply does to the loop: holds it for a while. */
function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("ReplyPacer", () => {
  it("lets a due timer run between any two replies of a burst, in the order they asked", async () => {
    const pacer = new ReplyPacer();
    const sent: Array<{ reply: number; ticks: number }> = [];
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1); // a live answer's coalescing timer, say
    await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all(
      Array.from({ length: 10 }, (_, reply) =>
        pacer.turn().then(() => {
          sent.push({ reply, ticks });
          busyFor(3);
        }),
      ),
    );
    clearInterval(ticker);
    expect(sent.map((s) => s.reply)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Without pacing all ten would go in one go, seeing one tick count; paced, the timer runs between each two.
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.ticks).toBeGreaterThan(sent[i - 1]!.ticks);
  });
});
