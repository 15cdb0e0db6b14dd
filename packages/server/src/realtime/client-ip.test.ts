import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip.ts";

describe("clientIp", () => {
  it("believes exactly the trusted hops of X-Forwarded-For", () => {
    expect(clientIp("10.0.0.2", "203.0.113.7", 0)).toBe("10.0.0.2");
    expect(clientIp("10.0.0.2", "203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientIp("10.0.0.2", "6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientIp("10.0.0.2", ["6.6.6.6", "203.0.113.7, 10.0.0.1"], 2)).toBe("203.0.113.7");
    expect(clientIp("10.0.0.2", undefined, 1)).toBe("10.0.0.2");
    expect(clientIp("10.0.0.2", "203.0.113.7", 5)).toBe("203.0.113.7");
  });
});
