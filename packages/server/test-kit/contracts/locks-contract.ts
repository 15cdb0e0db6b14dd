/**
 * The AnswerLocks contract (core/ports.ts) every implementation keeps: one answer holds a room at a
 * time, rooms are independent, and only the holder renews or releases. Leases and orphans, which
 * only a cluster has, are tested with the Redis implementation (src/store/locks.test.ts).
 */
import { describe, expect, it } from "vitest";
import type { AnswerLocks } from "../../src/core/ports.ts";

export function locksContract(name: string, make: () => AnswerLocks): void {
  describe(`AnswerLocks contract: ${name}`, () => {
    it("one answer holds a room; rooms are independent; only the holder releases", async () => {
      const locks = make();
      expect(await locks.acquire("r", "a1")).toBe(true);
      expect(await locks.acquire("r", "a2")).toBe(false);
      expect(await locks.acquire("other", "b1")).toBe(true);
      expect(await locks.renew("r", "a2")).toBe(false);
      await locks.release("r", "a2");
      expect(await locks.acquire("r", "a3")).toBe(false);
      await locks.release("r", "a1");
      expect(await locks.acquire("r", "a3")).toBe(true);
      expect(await locks.orphans()).toEqual([]);
    });

    it("a handed-over answer frees its room; where orphans are looked for, it is one at once", async () => {
      const locks = make();
      expect(await locks.acquire("h", "a1")).toBe(true);
      await locks.handOver("h", "a2"); // not the holder: nothing changes
      expect(await locks.acquire("h", "a2")).toBe(false);
      await locks.handOver("h", "a1");
      const orphaned = locks.orphanCheckEveryMs > 0 ? [{ roomId: "h", messageId: "a1" }] : [];
      expect(await locks.orphans()).toEqual(orphaned);
      expect(await locks.acquire("h", "a1")).toBe(true);
      expect(await locks.orphans()).toEqual([]);
    });
  });
}
