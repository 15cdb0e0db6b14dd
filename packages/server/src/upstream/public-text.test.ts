import { describe, expect, it } from "vitest";
import { connectionTrouble } from "./public-text.ts";

describe("connectionTrouble", () => {
  const fetchFailure = (code: string) =>
    Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code }),
    });

  it.each([
    ["ECONNREFUSED", "it refused the connection"],
    ["ENOTFOUND", "its name could not be resolved"],
    ["UND_ERR_SOCKET", "the connection was closed"],
    ["ECONNRESET", "the connection was closed"],
    ["UND_ERR_CONNECT_TIMEOUT", "the connection timed out"],
    ["EHOSTUNREACH", "its network is unreachable"],
    ["SOMETHING_NEW", "the connection failed"],
  ])("%s → %s", (code, words) => {
    expect(connectionTrouble(fetchFailure(code))).toBe(words);
  });

  it("has words for an error without a code", () => {
    expect(connectionTrouble(new Error("terminated"))).toBe("the connection failed");
    expect(connectionTrouble(undefined)).toBe("the connection failed");
  });
});
