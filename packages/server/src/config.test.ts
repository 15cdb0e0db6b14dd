import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("gives the documented defaults on an empty environment", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.llm.baseUrl).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.maxPacketBytes).toBe(256 * 1024);
    expect(config.rooms.maxTextLength).toBe(4000);
    expect(config.corsOrigins).toBe("*");
    expect(config.rateLimits).toEqual({ perConnection: 20, perIp: 200, windowSeconds: 10 });
  });

  it("bounds the LLM load and one address's rooms by default (issue 11)", () => {
    const config = loadConfig({});
    expect(config.llm.maxConcurrent).toBe(4);
    expect(config.llm.abandonedAnswerGraceMs).toBe(30_000);
    expect(config.budgets).toEqual({ adhocRoomsPerHour: 30, answersPerMinute: 10 });
    expect(config.capacity).toEqual({
      maxMembersPerRoom: 10_000,
      maxRoomsPerNode: 10_000,
      maxRoomsPerConnection: 10,
      maxMembersPerIpPerRoom: 1000,
    });
    const off = loadConfig({
      LLM_MAX_CONCURRENT: "0",
      ANSWERS_PER_IP_PER_MINUTE: "0",
      ADHOC_ROOMS_PER_IP_PER_HOUR: "0",
      ABANDONED_ANSWER_GRACE_MS: "0",
    });
    expect([
      off.llm.maxConcurrent,
      off.budgets.answersPerMinute,
      off.budgets.adhocRoomsPerHour,
      off.llm.abandonedAnswerGraceMs,
    ]).toEqual([0, 0, 0, 0]);
  });

  it("bounds the history a join carries and the bytes of join and history acks per IP", () => {
    const defaults = loadConfig({});
    expect(defaults.joinHistory).toEqual({ maxBytes: 262_144, maxMessages: 50 });
    expect(defaults.byteLimits).toEqual({ perIp: 2_097_152, windowSeconds: 10 });
    const set = loadConfig({
      JOIN_HISTORY_BYTES: "65536",
      JOIN_HISTORY_MESSAGES: "20",
      RATE_BYTES_PER_IP: "100000",
      RATE_WINDOW_SECONDS: "30",
    });
    expect(set.joinHistory).toEqual({ maxBytes: 65_536, maxMessages: 20 });
    expect(set.byteLimits).toEqual({ perIp: 100_000, windowSeconds: 30 });
    expect(() => loadConfig({ JOIN_HISTORY_BYTES: "100" })).toThrow(/JOIN_HISTORY_BYTES/);
  });

  it("bounds the adaptive coalescing window (issue 13)", () => {
    const defaults = loadConfig({});
    expect(defaults.rooms).toMatchObject({ coalesceMs: 30, coalesceMaxMs: 150, coalesceBusyShare: 0.25 });
    const fixed = loadConfig({ COALESCE_MS: "50", COALESCE_MAX_MS: "50", COALESCE_BUSY_SHARE: "1" });
    expect(fixed.rooms).toMatchObject({ coalesceMs: 50, coalesceMaxMs: 50, coalesceBusyShare: 1 });
    expect(() => loadConfig({ COALESCE_MS: "200" })).toThrow(/COALESCE_MAX_MS must be at least COALESCE_MS/);
    for (const share of ["0", "1.5", "-0.1", "a quarter"])
      expect(() => loadConfig({ COALESCE_BUSY_SHARE: share }), share).toThrow(/COALESCE_BUSY_SHARE/);
  });

  it("reads limits and the CORS allowlist", () => {
    const config = loadConfig({
      MAX_PACKET_BYTES: "65536",
      MAX_TEXT_LENGTH: "1000",
      CORS_ORIGINS: "https://a.example/, https://b.example",
    });
    expect(config.maxPacketBytes).toBe(65536);
    expect(config.rooms.maxTextLength).toBe(1000);
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
  });

  it("refuses a packet limit too small for the longest question, naming the setting", () => {
    expect(() => loadConfig({ MAX_PACKET_BYTES: "16384", MAX_TEXT_LENGTH: "4000" })).toThrow(ConfigError);
    expect(() => loadConfig({ MAX_PACKET_BYTES: "16384", MAX_TEXT_LENGTH: "4000" })).toThrow(/MAX_PACKET_BYTES/);
    expect(loadConfig({ MAX_PACKET_BYTES: "16384", MAX_TEXT_LENGTH: "2000" }).maxPacketBytes).toBe(16384);
  });

  it("lists every bad setting in one error", () => {
    let message = "";
    try {
      loadConfig({ PORT: "http", LLM_BASE_URL: "not a url", TOKEN_SECRET: "short" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/LLM_BASE_URL must be a URL/);
    expect(message).toMatch(/TOKEN_SECRET must be at least 32 characters/);
  });
});
