import { describe, expect, it } from "vitest";
import { errorAnswer } from "./error-answer.ts";

/** An error as Express's router and body-parser make them: a status and sometimes a type. */
const httpError = (status: number, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { status, statusCode: status, ...extra });

describe("errorAnswer", () => {
  it("a malformed %-escape in the address → 400 invalid_payload, without the escape or the error's words", () => {
    const error = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    const answer = errorAnswer(error);
    expect(answer).toEqual({
      status: 400,
      payload: { code: "invalid_payload", message: "Invalid request. The address has a malformed %-escape." },
    });
  });

  it.each([
    [
      httpError(400, "Unexpected token } in JSON at position 12", { type: "entity.parse.failed" }),
      400,
      "invalid_payload",
      "Invalid request. The body is not valid JSON.",
    ],
    [
      httpError(413, "request entity too large", { type: "entity.too.large" }),
      413,
      "invalid_payload",
      "Invalid request. The body is too large.",
    ],
    [
      httpError(415, 'unsupported charset "X-UNKNOWN"', { type: "charset.unsupported" }),
      415,
      "invalid_payload",
      "Invalid request. The body's encoding or charset is not supported.",
    ],
    [httpError(400, "incorrect header check"), 400, "invalid_payload", "Invalid request."],
    [httpError(404, "ENOENT: no such file, stat '/srv/x'"), 404, "not_found", "No such page."],
    [httpError(429, "slow down"), 429, "rate_limited", "Invalid request."],
  ])("%s → %i %s with a message of ours", (error, status, code, message) => {
    expect(errorAnswer(error)).toEqual({ status, payload: { code, message } });
  });

  it.each([
    ["a plain Error", new Error("connect ECONNREFUSED 10.0.0.5:6379")],
    ["a 5xx", httpError(502, "bad gateway at http://10.0.0.5")],
    ["a string", "boom"],
    ["nothing", undefined],
    ["a status that is no number", { status: "400" }],
  ])("%s → 500 internal_error, nothing of it shown", (_name, error) => {
    expect(errorAnswer(error)).toEqual({
      status: 500,
      payload: { code: "internal_error", message: "Something went wrong on the server." },
    });
  });
});
