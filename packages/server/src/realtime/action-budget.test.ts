import { describe, expect, it } from "vitest";
import type { Logger } from "../core/ports.ts";
import { memoryLimiters } from "../store/limiters.ts";
import { usePrivateRedis } from "../store/redis-fixture.ts";
import { redisLimiters } from "../store/redis-limiters.ts";
import { actionBudget } from "./action-budget.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
const redis = usePrivateRedis();
let counter = 0;

describe("actionBudget", () => {
  it("none at 0; in memory: per key, over it the ms until the window ends", async () => {
    expect(actionBudget({ perWindow: 0, windowSeconds: 60, name: "answers" }, quiet, memoryLimiters())).toBeUndefined();
    const budget = actionBudget({ perWindow: 2, windowSeconds: 60, name: "answers" }, quiet, memoryLimiters())!;
    expect(await budget.spend("198.51.100.1")).toBeUndefined();
    expect(await budget.spend("198.51.100.1")).toBeUndefined();
    const wait = await budget.spend("198.51.100.1");
    expect(wait).toBeGreaterThan(50_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(await budget.spend("198.51.100.2")).toBeUndefined();
  });

  it("in Redis mode every node spends the same budget, kept apart from other budgets", async () => {
    const prefix = `budget${++counter}:`;
    const [limitersA, limitersB] = [redisLimiters(redis.client, prefix), redisLimiters(redis.client, prefix)];
    const nodeA = actionBudget({ perWindow: 3, windowSeconds: 3600, name: "adhoc-rooms" }, quiet, limitersA)!;
    const nodeB = actionBudget({ perWindow: 3, windowSeconds: 3600, name: "adhoc-rooms" }, quiet, limitersB)!;
    const answers = actionBudget({ perWindow: 3, windowSeconds: 60, name: "answers" }, quiet, limitersA)!;
    expect(await nodeA.spend("203.0.113.1")).toBeUndefined();
    expect(await nodeA.spend("203.0.113.1")).toBeUndefined();
    expect(await nodeB.spend("203.0.113.1")).toBeUndefined();
    expect(await nodeB.spend("203.0.113.1")).toBeGreaterThan(3_500_000);
    expect(await answers.spend("203.0.113.1")).toBeUndefined();
  });
});
