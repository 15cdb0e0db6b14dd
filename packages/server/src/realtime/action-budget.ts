/**
 * ActionBudget (core/ports.ts) on rate-limiter-flexible: per node in memory, shared by every node
 * in Redis mode (see sharedLimiter), a store failure letting the action through (see consume).
 */
import type { ActionBudget, Logger } from "../core/ports.ts";
import { consume, sharedLimiter, type SharedLimitStore } from "./rate-limits.ts";

export interface BudgetSettings {
  /** Actions per key per window; 0: no budget (undefined is returned). */
  perWindow: number;
  windowSeconds: number;
  /** Keeps this budget's keys apart from other budgets' in Redis. */
  name: string;
}

export function actionBudget(settings: BudgetSettings, logger: Logger, redis?: SharedLimitStore): ActionBudget | undefined {
  if (settings.perWindow <= 0) return undefined;
  const limiter = sharedLimiter({ points: settings.perWindow, duration: settings.windowSeconds }, settings.name, redis);
  return { spend: (key) => consume(limiter, key, logger) };
}
