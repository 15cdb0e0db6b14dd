/**
 * The port contracts that had no shared suite, run against the memory and the Redis implementation
 * (one private redis-server for the file; each Redis instance gets its own key prefix).
 */
import type { Logger } from "../../src/core/ports.ts";
import { actionBudget } from "../../src/realtime/action-budget.ts";
import { MemorySlots } from "../../src/store/memory-slots.ts";
import { usePrivateRedis } from "../../src/store/redis-fixture.ts";
import { RedisSlots } from "../../src/store/redis-slots.ts";
import { WindowCounters } from "../../src/store/token-counters.ts";
import { BUDGET_PER_WINDOW, BUDGET_WINDOW_SECONDS, budgetContract } from "./budget-contract.ts";
import { countersContract } from "./counters-contract.ts";
import { slotsContract } from "./slots-contract.ts";

const redis = usePrivateRedis();
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
let counter = 0;
const prefix = (what: string) => `${what}${++counter}:`;

slotsContract("memory", (max) => new MemorySlots(max));
slotsContract("redis", (max) => new RedisSlots(redis.client, { prefix: prefix("slots"), max, leaseMs: 2000, logger: quiet, pollMs: 20 }));

const budget = { perWindow: BUDGET_PER_WINDOW, windowSeconds: BUDGET_WINDOW_SECONDS, name: "rl:contract" };
budgetContract("memory", () => actionBudget(budget, quiet)!);
budgetContract("redis", () => actionBudget(budget, quiet, { client: redis.client, prefix: prefix("budget") })!);

countersContract("memory", () => new WindowCounters(3600));
countersContract("redis", () => new WindowCounters(3600, { client: redis.client, prefix: prefix("counters") }));
