import { describe, expect, it } from "vitest";
import { LOOPBACK_HEADER, loopbackClientIp, loopbackHeaders } from "./loopback-identity.ts";

describe("loopback identity", () => {
  it("believes only headers signed by this process", () => {
    expect(loopbackClientIp(loopbackHeaders("203.0.113.5"))).toBe("203.0.113.5");
    expect(loopbackClientIp({})).toBeUndefined();
    expect(loopbackClientIp({ [LOOPBACK_HEADER]: "guess 203.0.113.5" })).toBeUndefined();
    expect(loopbackClientIp({ [LOOPBACK_HEADER]: `${"0".repeat(48)} 203.0.113.5` })).toBeUndefined();
    expect(loopbackClientIp({ [LOOPBACK_HEADER]: ["a", "b"] })).toBeUndefined();
  });
});
