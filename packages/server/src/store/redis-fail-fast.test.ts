/**
 * failFast() on a real redis-server: killed (connection closed) and frozen (SIGSTOP: the
 * connection stays open, nothing answers), a command fails at once instead of waiting; a
 * MULTI refused while frozen is not half-sent; once Redis answers again, replies match commands.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { usePrivateRedis } from "./redis-fixture.ts";
import { failFast, UNRESPONSIVE_MESSAGE } from "./redis-fail-fast.ts";

const redis = usePrivateRedis();
const COMMAND_TIMEOUT_MS = 300;
/** Far below any wait for a reconnection or a reply: the command was refused on the spot. */
const AT_ONCE_MS = 100;
const clients: Redis[] = [];

afterEach(() => {
  redis.server.resume();
  for (const client of clients.splice(0)) client.disconnect();
});

async function connected(): Promise<Redis> {
  const client = new Redis(redis.server.url, {
    maxRetriesPerRequest: 2,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: () => 50,
  });
  clients.push(client);
  failFast(client);
  await waitFor(() => client.status === "ready", { what: "the client to connect" });
  return client;
}

/** How long `call` took to fail, and with what. */
async function failure(call: () => Promise<unknown>): Promise<{ ms: number; message: string }> {
  const started = performance.now();
  const error = await call().then(
    () => new Error("the command succeeded"),
    (e: unknown) => e as Error,
  );
  return { ms: performance.now() - started, message: error.message };
}

describe("failFast", () => {
  it("Redis killed: once connected, a command fails at once instead of waiting in the offline queue; after a restart it works", async () => {
    const client = await connected();
    await client.set("killed", "before");
    await redis.server.kill();
    await waitFor(() => client.status !== "ready", { what: "the client to see the connection close" });
    const refused = await failure(() => client.get("killed"));
    expect(refused.message).toMatch(/enableOfflineQueue/);
    expect(refused.ms).toBeLessThan(AT_ONCE_MS);
    await redis.server.restart();
    await waitFor(
      () =>
        client.set("killed", "after").then(
          () => true,
          () => false,
        ),
      { what: "commands to work again" },
    );
    expect(await client.get("killed")).toBe("after");
  });

  it("Redis frozen: the first command times out, the next ones fail at once; a MULTI is not half-sent; recovery keeps replies in step", async () => {
    const client = await connected();
    await client.mset("a", "1", "b", "2");
    redis.server.pause();
    const first = await failure(() => client.get("a"));
    expect(first.message).toBe("Command timed out");
    expect(first.ms).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 5);
    const next = await failure(() => client.get("a"));
    expect(next).toMatchObject({ message: UNRESPONSIVE_MESSAGE });
    expect(next.ms).toBeLessThan(AT_ONCE_MS);
    const multi = await client
      .multi()
      .set("frozen-multi", "x")
      .get("a")
      .exec()
      .then(
        (replies) => replies?.map(([error]) => error?.message),
        (error: unknown) => [(error as Error).message],
      );
    expect(multi?.every((message) => message !== undefined)).toBe(true);

    redis.server.resume();
    await waitFor(
      () =>
        client.get("a").then(
          () => true,
          () => false,
        ),
      { what: "the client to find Redis answering" },
    );
    expect(await Promise.all([client.get("a"), client.get("b"), client.get("a")])).toEqual(["1", "2", "1"]);
    expect(await client.exists("frozen-multi")).toBe(0);
  });
});
