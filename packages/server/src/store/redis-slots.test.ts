import { describe, expect, it } from "vitest";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import type { Logger } from "../core/ports.ts";
import { usePrivateRedis } from "./redis-fixture.ts";
import { RedisSlots } from "./redis-slots.ts";

const redis = usePrivateRedis();
let counter = 0;
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };

const signal = () => new AbortController().signal;

describe("RedisSlots (the cluster's line for the LLM)", () => {
  it("nodes share one bound; waiters are served in arrival order and hear their place; leaving frees the place", async () => {
    const prefix = `slots${++counter}:`;
    const nodeA = new RedisSlots(redis.client, { prefix, max: 1, leaseMs: 2000, logger: quiet, pollMs: 20 });
    const nodeB = new RedisSlots(redis.client, { prefix, max: 1, leaseMs: 2000, logger: quiet, pollMs: 20 });
    const releaseA = await nodeA.acquire("a", signal(), () => expect.unreachable());
    const places: Record<string, number[]> = { b: [], quit: [], c: [] };
    const order: string[] = [];
    const b = nodeB.acquire("b", signal(), (p) => places.b!.push(p)).then((r) => (order.push("b"), r));
    await waitFor(() => places.b!.length > 0, { what: "b in line" });
    const quitter = new AbortController();
    const quit = nodeA.acquire("quit", quitter.signal, (p) => places.quit!.push(p));
    await waitFor(() => places.quit!.length > 0, { what: "quit in line" });
    const c = nodeB.acquire("c", signal(), (p) => places.c!.push(p)).then((r) => (order.push("c"), r));
    await waitFor(() => places.c!.at(-1) === 3, { what: "c third" });
    quitter.abort();
    await quit;
    await waitFor(() => places.c!.at(-1) === 2, { what: "c moves up when a waiter leaves" });
    releaseA();
    const releaseB = await b;
    // Polling: c hears "first in line" only while b holds the slot (released at once, c could skip it).
    await waitFor(() => places.c!.at(-1) === 1, { what: "c first in line while b streams" });
    releaseB();
    (await c)();
    expect(order).toEqual(["b", "c"]);
    expect(places.b).toEqual([1]);
    expect(places.c).toEqual([3, 2, 1]);
  });

  it("a dead node's slot frees itself when its lease lapses", async () => {
    const prefix = `slots${++counter}:`;
    const [seconds, micros] = await redis.client.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await redis.client.zadd(`${prefix}slots:holders`, now + 300, "ghost");
    const slots = new RedisSlots(redis.client, { prefix, max: 1, leaseMs: 2000, logger: quiet, pollMs: 20 });
    const places: number[] = [];
    const release = await slots.acquire("alive", signal(), (p) => places.push(p));
    expect(places).toEqual([1]);
    release();
    const keys = await redis.client.keys(`${prefix}*`);
    for (const key of keys) expect(await redis.client.pttl(key), key).toBeGreaterThan(0);
  });

  it("without a bound Redis is never asked", async () => {
    const prefix = `slots${++counter}:`;
    const slots = new RedisSlots(redis.client, { prefix, max: 0, leaseMs: 2000, logger: quiet });
    await slots.acquire("x", signal(), () => expect.unreachable());
    expect(await redis.client.keys(`${prefix}*`)).toEqual([]);
  });
});
