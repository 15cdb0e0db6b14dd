import { describe, expect, it } from "vitest";
import { sameHostSockets } from "./security.ts";

describe("sameHostSockets", () => {
  it.each([
    ["chat.example", "ws://chat.example wss://chat.example"],
    ["localhost:3000", "ws://localhost:3000 wss://localhost:3000"],
    ["[::1]:3000", "ws://[::1]:3000 wss://[::1]:3000"],
  ])("%s → %s", (host, sources) => {
    expect(sameHostSockets(host)).toBe(sources);
  });

  it.each([undefined, "", "evil.example; script-src *", "a b", "x.example/path"])("adds nothing for %j", (host) => {
    expect(sameHostSockets(host)).toBe("");
  });
});
