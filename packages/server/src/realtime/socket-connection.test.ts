import { describe, expect, it } from "vitest";
import { RateLimiterMemory } from "rate-limiter-flexible";
import type { Logger } from "../core/ports.ts";
import { ByteBudget, unmetered } from "./byte-budget.ts";
import { SocketConnection } from "./socket-connection.ts";
import type { IoSocket } from "./types.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
const socket = { id: "s1" } as IoSocket;
const IP = "192.0.2.1";

describe("SocketConnection", () => {
  it("keeps no meter of its own (an idle viewer holds no closure), yet meters its IP's replies", async () => {
    const limiter = new RateLimiterMemory({ points: 150, duration: 60 });
    const connection = new SocketConnection(socket, IP, new ByteBudget(limiter, 100, quiet));
    expect(Object.values(connection).some((value) => typeof value === "function")).toBe(false);
    await expect(connection.meter(async () => ({ a: 1 }))).resolves.toEqual({ a: 1 });
    expect((await limiter.get(IP))?.consumedPoints).toBe(7); // {"a":1}
    await connection.meter(async () => ({ b: "x".repeat(100) }));
    await expect(connection.meter(async () => ({}))).rejects.toMatchObject({ code: "rate_limited" });
  });

  it("is unmetered without a budget", () => {
    expect(new SocketConnection(socket, IP).meter).toBe(unmetered);
  });
});
