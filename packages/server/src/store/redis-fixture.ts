/**
 * Test fixture for the Redis implementations: one private redis-server per test file (killed
 * after it) and a client connected to it. Call at the top level of a test file.
 */
import { afterAll, beforeAll } from "vitest";
import { Redis } from "ioredis";
import { startRedis, type RedisProcess } from "../../../../tests/helpers/redis.ts";

export interface RedisFixture {
  readonly server: RedisProcess;
  readonly client: Redis;
}

export function usePrivateRedis(): RedisFixture {
  let server: RedisProcess | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await client?.quit();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error("redis-server is not started yet (use the fixture inside tests)");
      return server;
    },
    get client() {
      if (!client) throw new Error("redis-server is not started yet (use the fixture inside tests)");
      return client;
    },
  };
}
