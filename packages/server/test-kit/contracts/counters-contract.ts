/**
 * The TokenCounters contract (core/ports.ts): what `add` counts under a key, `used` reads back,
 * summed over the window and kept apart per key. Run it against every implementation.
 */
import { describe, expect, it } from "vitest";
import type { TokenCounters } from "../../src/core/ports.ts";

export function countersContract(name: string, make: () => TokenCounters): void {
  describe(`TokenCounters contract: ${name}`, () => {
    it("starts at 0 and sums what is added, per key", async () => {
      const counters = make();
      expect(await counters.used("room:a")).toBe(0);
      await counters.add("room:a", 5);
      await counters.add("room:a", 7);
      await counters.add("user:x", 3);
      expect(await counters.used("room:a")).toBe(12);
      expect(await counters.used("user:x")).toBe(3);
      expect(await counters.used("room:b")).toBe(0);
    });
  });
}
