/**
 * The ActionBudget contract (core/ports.ts): `spend` allows up to the budget per key in a window,
 * then tells how long until the window lets one more through. Run it against every implementation
 * with a budget of 3 actions per hour.
 */
import { describe, expect, it } from "vitest";
import type { ActionBudget } from "../../src/core/ports.ts";

export const BUDGET_PER_WINDOW = 3;
export const BUDGET_WINDOW_SECONDS = 3600;

export function budgetContract(name: string, make: () => ActionBudget): void {
  describe(`ActionBudget contract: ${name}`, () => {
    it("allows the budget, then refuses with the ms until the window ends", async () => {
      const budget = make();
      for (let i = 0; i < BUDGET_PER_WINDOW; i++) expect(await budget.spend("198.51.100.1")).toBeUndefined();
      const waitMs = await budget.spend("198.51.100.1");
      expect(waitMs).toBeGreaterThan(0);
      expect(waitMs).toBeLessThanOrEqual(BUDGET_WINDOW_SECONDS * 1000);
      expect(await budget.spend("198.51.100.1")).toBeGreaterThan(0);
    });

    it("keeps each key's budget apart", async () => {
      const budget = make();
      for (let i = 0; i < BUDGET_PER_WINDOW; i++) await budget.spend("203.0.113.1");
      expect(await budget.spend("203.0.113.1")).toBeGreaterThan(0);
      expect(await budget.spend("203.0.113.2")).toBeUndefined();
    });
  });
}
