import { describe, expect, it } from "vitest";
import { finalizeMessage } from "@tokencast/sdk";
import { statusLabel } from "./format.ts";
import { answer, end } from "./testing/test-messages.ts";

describe("statusLabel", () => {
  it("says why the server stopped an answer nobody watched", () => {
    const stopped = finalizeMessage(
      answer("a", { text: "part", seq: 1 }),
      end("a", 1, { status: "stopped", stopReason: "nobody_watching" }),
    );
    expect(statusLabel(stopped)).toMatch(/everyone had left/);
  });

  it("names who stopped an answer", () => {
    expect(statusLabel(answer("a", { status: "stopped", stoppedBy: "ada" }))).toBe("Stopped by ada");
  });
});
