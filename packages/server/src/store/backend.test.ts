import { describe, expect, it } from "vitest";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { loadConfig } from "../config.ts";
import type { Logger } from "../core/ports.ts";
import { createBackend } from "./backend.ts";
import { usePrivateRedis } from "./redis-fixture.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };
const redis = usePrivateRedis();

describe("createBackend", () => {
  it("without REDIS_URL: every part in memory, no adapter, no shared voter secret, nothing to check for /readyz", async () => {
    const backend = createBackend(loadConfig({}), quiet);
    expect(backend.adapter).toBeUndefined();
    expect(backend.voterSecret).toBeUndefined();
    expect(backend.readiness()).toEqual({});
    const counters = backend.limiters.counters(60);
    await counters.add("room:r", 3);
    expect(await counters.used("room:r")).toBe(3);
    await backend.close();
  });

  it("with REDIS_URL: the parts share Redis under REDIS_PREFIX, readiness follows the connection, close ends it", async () => {
    const backend = createBackend(loadConfig({ REDIS_URL: redis.server.url, REDIS_PREFIX: "backend1:" }), quiet);
    await waitFor(() => backend.readiness().redis, { what: "the backend's Redis connections" });
    expect(backend.adapter).toBeTypeOf("function");
    await backend.limiters.counters(60).add("room:r", 3);
    await backend.voterSecret?.();
    await backend.records.revokeTokens("lobby");
    expect((await redis.client.keys("backend1:*")).sort()).toEqual([
      "backend1:quota:room:r",
      "backend1:voter-secret",
      "backend1:{lobby}:token-gen",
    ]);
    await backend.close();
    await waitFor(() => !backend.readiness().redis, { what: "the backend's Redis connections to close" });
  });
});
