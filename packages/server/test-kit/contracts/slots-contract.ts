/**
 * The UpstreamSlots contract (core/ports.ts): at most `max` answers hold a slot; the others wait
 * in one fair line, hear their place whenever it changes, and leave it when their signal aborts.
 * Run it against every implementation: `slotsContract("memory", (max) => new MemorySlots(max))`.
 */
import { describe, expect, it } from "vitest";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import type { UpstreamSlots } from "../../src/core/ports.ts";

/** One `acquire` as a test watches it: the places it heard, and whether it holds a slot. */
interface Waiter {
  places: number[];
  held: boolean;
  /** Resolves with the release function once `acquire` resolves. */
  release: Promise<() => void>;
  quit: () => void;
}

function enter(slots: UpstreamSlots, id: string): Waiter {
  const quitter = new AbortController();
  const waiter: Waiter = {
    places: [],
    held: false,
    release: Promise.resolve(() => undefined),
    quit: () => quitter.abort(),
  };
  waiter.release = slots
    .acquire(id, quitter.signal, (place) => waiter.places.push(place))
    .then((release) => {
      waiter.held = !quitter.signal.aborted;
      return release;
    });
  return waiter;
}

const lastPlace = (waiter: Waiter) => waiter.places.at(-1);

export function slotsContract(name: string, make: (max: number) => UpstreamSlots): void {
  describe(`UpstreamSlots contract: ${name}`, () => {
    it("holds up to max at once; the next waits, told it is first in line", async () => {
      const slots = make(2);
      const a = enter(slots, "a");
      const b = enter(slots, "b");
      await Promise.all([a.release, b.release]);
      const c = enter(slots, "c");
      await waitFor(() => lastPlace(c) === 1, { what: "c first in line" });
      expect(c.held).toBe(false);
      (await a.release)();
      await waitFor(() => c.held, { what: "c to get the freed slot" });
      expect(a.places).toEqual([]);
      (await b.release)();
      (await c.release)();
    });

    it("serves the line first come, first served, telling each waiter its place as it moves up", async () => {
      const slots = make(1);
      const a = enter(slots, "a");
      await a.release;
      const b = enter(slots, "b");
      await waitFor(() => lastPlace(b) === 1, { what: "b in line" });
      const c = enter(slots, "c");
      await waitFor(() => lastPlace(c) === 2, { what: "c second" });
      (await a.release)();
      await waitFor(() => b.held, { what: "b served first" });
      await waitFor(() => lastPlace(c) === 1, { what: "c moves up" });
      expect(c.held).toBe(false);
      (await b.release)();
      await waitFor(() => c.held, { what: "c served next" });
      expect(b.places).toEqual([1]);
      expect(c.places).toEqual([2, 1]);
      (await c.release)();
    });

    it("a waiter whose signal aborts leaves the line (holding nothing) and those behind move up", async () => {
      const slots = make(1);
      const a = enter(slots, "a");
      await a.release;
      const quitter = enter(slots, "quitter");
      await waitFor(() => lastPlace(quitter) === 1, { what: "quitter in line" });
      const c = enter(slots, "c");
      await waitFor(() => lastPlace(c) === 2, { what: "c second" });
      quitter.quit();
      await quitter.release;
      expect(quitter.held).toBe(false);
      await waitFor(() => lastPlace(c) === 1, { what: "c moves up" });
      (await a.release)();
      await waitFor(() => c.held, { what: "c served, not the quitter" });
      (await c.release)();
    });

    it("an acquire already aborted holds nothing; releasing twice frees one slot only", async () => {
      const slots = make(1);
      const aborted = new AbortController();
      aborted.abort();
      await slots.acquire("gone", aborted.signal, () => expect.unreachable());
      const a = enter(slots, "a");
      const releaseA = await a.release;
      expect(a.places).toEqual([]);
      const b = enter(slots, "b");
      const c = enter(slots, "c");
      await waitFor(() => lastPlace(c) === 2, { what: "b and c in line" });
      releaseA();
      releaseA();
      await waitFor(() => b.held, { what: "b served" });
      await waitFor(() => lastPlace(c) === 1, { what: "c first in line" });
      expect(c.held).toBe(false);
      (await b.release)();
      (await c.release)();
    });

    it("without a bound (0) never makes anyone wait", async () => {
      const slots = make(0);
      for (let i = 0; i < 20; i++)
        await slots.acquire(`x${i}`, new AbortController().signal, () => expect.unreachable());
    });
  });
}
