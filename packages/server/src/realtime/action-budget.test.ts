import { describe, expect, it } from "vitest";
import type { Logger } from "../core/ports.ts";
import { usePrivateRedis } from "../store/redis-fixture.ts";
import { actionBudget } from "./action-budget.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
const redis = usePrivateRedis();
let counter = 0;

describe("actionBudget", () => {
  it("none at 0; in memory: per key, over it the ms until the window ends", async () => {
    expect(actionBudget({ perWindow: 0, windowSeconds: 60, name: "off" }, quiet)).toBeUndefined();
    const budget = actionBudget({ perWindow: 2, windowSeconds: 60, name: "mem" }, quiet)!;
    expect(await budget.spend("198.51.100.1")).toBeUndefined();
    expect(await budget.spend("198.51.100.1")).toBeUndefined();
    const wait = await budget.spend("198.51.100.1");
    expect(wait).toBeGreaterThan(50_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(await budget.spend("198.51.100.2")).toBeUndefined();
  });

  it("in Redis mode every node spends the same budget, kept apart from other budgets", async () => {
    const store = { client: redis.client, prefix: `budget${++counter}:` };
    const nodeA = actionBudget({ perWindow: 3, windowSeconds: 3600, name: "rl:adhoc-rooms" }, quiet, store)!;
    const nodeB = actionBudget({ perWindow: 3, windowSeconds: 3600, name: "rl:adhoc-rooms" }, quiet, store)!;
    const answers = actionBudget({ perWindow: 3, windowSeconds: 60, name: "rl:answers" }, quiet, store)!;
    expect(await nodeA.spend("203.0.113.1")).toBeUndefined();
    expect(await nodeA.spend("203.0.113.1")).toBeUndefined();
    expect(await nodeB.spend("203.0.113.1")).toBeUndefined();
    expect(await nodeB.spend("203.0.113.1")).toBeGreaterThan(3_500_000);
    expect(await answers.spend("203.0.113.1")).toBeUndefined();
  });
});
