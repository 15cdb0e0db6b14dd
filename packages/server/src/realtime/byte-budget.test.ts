import { describe, expect, it } from "vitest";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { AppError } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";
import { memoryLimiters } from "../store/limiters.ts";
import { ByteBudget, createByteBudget, replyBytes } from "./byte-budget.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
const IP = "192.0.2.1";
const REPLY = 1000;

/** A budget of `replies` full replies per minute, and its limiter to look into. */
function budget(replies: number) {
  const limiter = new RateLimiterMemory({ points: replies * REPLY, duration: 60 });
  return { limiter, meter: new ByteBudget(limiter, REPLY, quiet).meterFor(IP) };
}

const replyOf = (bytes: number) => ({ text: "x".repeat(bytes - replyBytes({ text: "" })) });
const spent = async (limiter: RateLimiterMemory) => (await limiter.get(IP))?.consumedPoints ?? 0;

async function refusalOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("ByteBudget", () => {
  it("charges a reply its real size, once read", async () => {
    const { limiter, meter } = budget(5);
    const reply = await meter(async () => replyOf(300));
    expect(replyBytes(reply)).toBe(300);
    await expect.poll(() => spent(limiter)).toBe(300);
    await meter(async () => replyOf(2500)); // over the reservation (an answer in progress): charged whole
    await expect.poll(() => spent(limiter)).toBe(2800);
  });

  it("measures a shared (frozen) snapshot's messages once, and every reply carrying them exactly", async () => {
    const messages = Object.freeze([
      { id: "a", text: 'é🙂 "quoted"', seq: 3 },
      { id: "b", text: "x".repeat(500) },
    ]);
    const exact = (reply: object) => Buffer.byteLength(JSON.stringify(reply));
    const first = { room: { id: "r" }, self: { name: "Zoë" }, messages, more: true };
    const second = { room: { id: "r" }, self: { name: "Ann" }, messages, more: true, voter: "v.1" };
    expect(replyBytes(first)).toBe(exact(first));
    expect(replyBytes(second)).toBe(exact(second));
    expect(replyBytes({ messages: Object.freeze([]) })).toBe(exact({ messages: [] }));
  });

  it("refuses with rate_limited and retryAfter, without reading, once less than a reply is left; a refusal costs nothing", async () => {
    const { limiter, meter } = budget(3);
    await meter(async () => replyOf(2500));
    await expect.poll(() => spent(limiter)).toBe(2500);
    let reads = 0;
    const refused = await refusalOf(
      meter(async () => {
        reads += 1;
        return replyOf(10);
      }),
    );
    expect(refused.code).toBe("rate_limited");
    expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfter).toBeLessThanOrEqual(60);
    expect(reads).toBe(0);
    await expect.poll(() => spent(limiter)).toBe(2500);
  });

  it("a flood of concurrent reads gets no more reads than the budget holds replies", async () => {
    const { meter } = budget(4);
    let reads = 0;
    const read = async () => {
      reads += 1;
      return replyOf(REPLY);
    };
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => meter(read)));
    expect(reads).toBe(4);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(4);
  });

  it("a read that fails charges nothing", async () => {
    const { limiter, meter } = budget(2);
    await expect(meter(async () => Promise.reject(new AppError("forbidden", "no")))).rejects.toThrow("no");
    await expect.poll(() => spent(limiter)).toBe(0);
  });

  it("reserves no more than the whole budget, so a budget below one reply still lets replies through", async () => {
    const meter = createByteBudget(
      { perIp: 10, windowSeconds: 10, replyBytes: 262_144 },
      quiet,
      memoryLimiters(),
    ).meterFor(IP);
    expect(replyBytes(await meter(async () => replyOf(50)))).toBe(50);
  });
});
