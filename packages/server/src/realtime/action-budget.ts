/**
 * ActionBudget (core/ports.ts) on rate-limiter-flexible: per node in memory, shared by every node
 * in Redis mode (see store/limiters.ts), a store failure letting the action through (see consume).
 */
import type { ActionBudget, LimiterName, Limiters, Logger } from "../core/ports.ts";
import { consume } from "./rate-limits.ts";

export interface BudgetSettings {
  /** Actions per key per window; 0: no budget (undefined is returned). */
  perWindow: number;
  windowSeconds: number;
  /** Keeps this budget's keys apart from other budgets' in Redis. */
  name: LimiterName;
}

export function actionBudget(settings: BudgetSettings, logger: Logger, limiters: Limiters): ActionBudget | undefined {
  if (settings.perWindow <= 0) return undefined;
  const limiter = limiters.limiter(settings.name, { points: settings.perWindow, duration: settings.windowSeconds });
  return { spend: (key) => consume(limiter, key, logger) };
}
