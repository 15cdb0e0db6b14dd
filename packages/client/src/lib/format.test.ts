import { describe, expect, it } from "vitest";
import { finalizeMessage } from "@tokencast/sdk";
import { composerHint, countOf, describeError, statusLabel } from "./format.ts";
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

describe("describeError", () => {
  it("says how long to wait once, from the field, and never shows the code", () => {
    const loading = { code: "upstream_model_loading" as const, message: "The model is still loading.", retryAfter: 20 };
    expect(describeError(loading)).toBe("The model is still loading. Try again in about 20 s.");
    expect(describeError({ code: "upstream_http_error", message: "No." })).toBe("No.");
  });
});

describe("countOf", () => {
  it("is singular for exactly one", () => {
    expect(countOf(1, "vote")).toBe("1 vote");
    expect(countOf(0, "vote")).toBe("0 votes");
    expect(countOf(2, "person", "people")).toBe("2 people");
  });
});

describe("composerHint", () => {
  it("tells a queued or thinking answer from a streaming one", () => {
    expect(composerHint(true, "queued")).toMatch(/waiting for the model/);
    expect(composerHint(true, "thinking")).toMatch(/preparing/);
    expect(composerHint(true, "streaming")).toMatch(/streaming/);
    expect(composerHint(true, "idle")).toMatch(/Enter to send/);
    expect(composerHint(false, "streaming")).toMatch(/connection/);
  });
});
