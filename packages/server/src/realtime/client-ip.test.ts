import { describe, expect, it } from "vitest";
import { addressKey, clientIp } from "./client-ip.ts";

describe("clientIp", () => {
  it("believes exactly the trusted hops of X-Forwarded-For", () => {
    expect(clientIp("10.0.0.2", "203.0.113.7", 0)).toBe("10.0.0.2");
    expect(clientIp("10.0.0.2", "203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientIp("10.0.0.2", "6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(clientIp("10.0.0.2", ["6.6.6.6", "203.0.113.7, 10.0.0.1"], 2)).toBe("203.0.113.7");
    expect(clientIp("10.0.0.2", undefined, 1)).toBe("10.0.0.2");
    expect(clientIp("10.0.0.2", "203.0.113.7", 5)).toBe("203.0.113.7");
  });

  it("counts an IPv6 client by its /64 (one client cannot rotate through its addresses), an IPv4-mapped one by its IPv4", () => {
    const same64 = [
      "2001:db8:1:2::1",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0DB8:0001:0002:0:0:0:9",
      "[2001:db8:1:2::7]:443",
      "2001:db8:1:2::1%eth0",
    ];
    for (const address of same64) expect(addressKey(address), address).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("fe80::1:2:3:4")).toBe("fe80:0:0:0::/64");
    expect(addressKey("2001:db8::ffff:1.2.3.4")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("203.0.113.7:5123")).toBe("203.0.113.7");
    expect(addressKey("not-an-address")).toBe("not-an-address");
    // Through the proxy chain too: X-Forwarded-For from a trusted hop, and the socket's own peer.
    expect(clientIp("10.0.0.2", "2001:db8:1:2::abcd", 1)).toBe("2001:db8:1:2::/64");
    expect(clientIp("::ffff:127.0.0.1", undefined, 0)).toBe("127.0.0.1");
  });
});
