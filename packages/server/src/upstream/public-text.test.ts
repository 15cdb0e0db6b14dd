import { describe, expect, it } from "vitest";
import { connectionTrouble, publicDetail } from "./public-text.ts";

describe("publicDetail", () => {
  it.each([
    ["open /models/secret/llama.gguf: no such file or directory", "open …: no such file or directory"],
    ["upstream http://10.0.0.5:8080/v1/chat/completions failed", "upstream … failed"],
    ["dial tcp 10.1.2.3:9000: connect: connection refused", "dial tcp …: connect: connection refused"],
    ["backend at localai.internal:8080 is down", "backend at … is down"],
    ["request to https://api.example/v1 failed, reason: ECONNREFUSED", "request to … failed, reason: …"],
    ["fetch failed (UND_ERR_SOCKET)", "fetch failed (…)"],
    ["C:\\models\\x.gguf missing", "… missing"],
    ["[::1]:8080 refused", "… refused"],
    ["Error: boom\n    at run (/srv/app/server.js:10:5)\n    at main (/srv/app/index.js:2:1)", "Error: boom"],
    [
      "Internal error: rpc error: code = Unavailable desc = model not loaded",
      "Internal error: rpc error: code = Unavailable desc = model not loaded",
    ],
    ["502 Bad Gateway nginx", "502 Bad Gateway nginx"],
    ["Loading model", "Loading model"],
    ["HTTP/1.1 protocol and/or model error", "HTTP/1.1 protocol and/or model error"],
    ["CUDA OOM while loading", "CUDA OOM while loading"],
  ])("%j → %j", (text, shown) => {
    expect(publicDetail(text)).toBe(shown);
  });

  it("is empty when nothing but hidden parts is left", () => {
    expect(publicDetail("/usr/lib/x.so: http://h:1/")).toBe("");
    expect(publicDetail("   ")).toBe("");
  });

  it("caps a long detail", () => {
    expect(publicDetail("word ".repeat(200)).length).toBeLessThanOrEqual(201);
  });
});

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
