import { describe, expect, it } from "vitest";
import { usePrivateRedis } from "./redis-fixture.ts";
import {
  adapterKey,
  answerRegistryKey,
  joinCodeKey,
  limiterKeyPrefix,
  luaMessageKey,
  messageKeys,
  nodeKeys,
  quotaKeyPrefix,
  roomKeys,
  slotsKeys,
  voterSecretKey,
  votersKey,
} from "./redis-keys.ts";

const redis = usePrivateRedis();
const room = roomKeys("tc:", "lobby");

/** Deployments keep their data across upgrades only if every name stays byte for byte the same. */
describe("Redis key and channel names", () => {
  it("a room's keys share its hash tag", () => {
    expect(room).toEqual({
      order: "tc:{lobby}:order",
      messages: "tc:{lobby}:msg",
      seqs: "tc:{lobby}:seq",
      members: "tc:{lobby}:members",
      memberInfo: "tc:{lobby}:member-info",
      memberIps: "tc:{lobby}:member-ips",
      record: "tc:{lobby}:room",
      invitationEpoch: "tc:{lobby}:token-gen",
      joinCode: "tc:{lobby}:join-code",
      queue: "tc:{lobby}:queue",
      votes: "tc:{lobby}:queue-votes",
      revs: "tc:{lobby}:queue-revs",
      queueVersion: "tc:{lobby}:queue-version",
      answerLock: "tc:{lobby}:answer-lock",
      prompts: "tc:{lobby}:prompts",
      base: "tc:{lobby}",
    });
    expect(messageKeys(room, "m1")).toEqual({ text: "tc:{lobby}:text:m1", log: "tc:{lobby}:log:m1" });
    expect(votersKey(room, "q1")).toBe("tc:{lobby}:voters:q1");
  });

  it("cluster-wide keys: answers, nodes, slots, voter secret", () => {
    expect(answerRegistryKey("tc:")).toBe("tc:answers");
    expect(joinCodeKey("tc:", "ABC234")).toBe("tc:join-code:ABC234");
    expect(nodeKeys("tc:", "node-a")).toEqual({ nodes: "tc:nodes", members: "tc:node:node-a:members" });
    expect(slotsKeys("tc:")).toEqual({
      holders: "tc:slots:holders",
      line: "tc:slots:line",
      arrivals: "tc:slots:arrivals",
      leases: "tc:slots:leases",
    });
    expect(voterSecretKey("tc:")).toBe("tc:voter-secret");
  });

  it("limiter and quota key prefixes, and the adapter's channel key", () => {
    const names = ["ip", "http", "rooms", "bytes", "adhoc-rooms", "answers", "join-codes"] as const;
    expect(names.map((name) => limiterKeyPrefix("tc:", name))).toEqual([
      "tc:rl:ip",
      "tc:rl:http",
      "tc:rl:rooms",
      "tc:rl:bytes",
      "tc:rl:adhoc-rooms",
      "tc:rl:answers",
      "tc:rl:join-codes",
    ]);
    expect(quotaKeyPrefix("tc:")).toBe("tc:quota");
    expect(adapterKey("tc:")).toBe("tc:socket.io");
  });

  it("Lua scripts build a message's keys exactly as messageKeys does", async () => {
    const [text, log] = [luaMessageKey("text", "ARGV[1]", "ARGV[2]"), luaMessageKey("log", "ARGV[1]", "ARGV[2]")];
    const script = `return { ${text}, ${log} }`;
    const built = await redis.client.eval(script, 0, room.base, "m1");
    expect(built).toEqual([messageKeys(room, "m1").text, messageKeys(room, "m1").log]);
  });
});
