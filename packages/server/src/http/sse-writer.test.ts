import { describe, expect, it } from "vitest";
import { parsePosition, positionId } from "./sse-event-id.ts";
import { formatComment, formatEvent, formatRetry } from "./sse-writer.ts";

describe("SSE framing", () => {
  it("writes an event with its id and JSON data, ended by a blank line", () => {
    expect(formatEvent({ event: "delta", id: "m1:3", data: { messageId: "m1", seq: 3, text: "a\nb" } })).toBe(
      'event: delta\nid: m1:3\ndata: {"messageId":"m1","seq":3,"text":"a\\nb"}\n\n',
    );
  });

  it("leaves the id out when there is none, and strips line breaks from fields", () => {
    expect(formatEvent({ event: "pres\nence", data: 1 })).toBe("event: presence\ndata: 1\n\n");
    expect(formatEvent({ event: "x", id: "a\r\nb\u0000", data: null })).toBe("event: x\nid: ab\ndata: null\n\n");
  });

  it("writes multi-line comments and the retry field", () => {
    expect(formatComment("ping")).toBe(": ping\n\n");
    expect(formatComment("one\ntwo")).toBe(": one\n: two\n\n");
    expect(formatRetry(2000.7)).toBe("retry: 2000\n\n");
  });
});

describe("event ids", () => {
  it("round-trips seq and end positions", () => {
    expect(parsePosition(positionId("abc-1", 7))).toEqual({ messageId: "abc-1", seq: 7 });
    expect(parsePosition(positionId("abc-1", "end"))).toEqual({ messageId: "abc-1", end: true });
    expect(parsePosition("0")).toBeUndefined();
  });

  it("rejects malformed ids", () => {
    for (const bad of [undefined, "", "abc", ":3", "abc:", "abc:-1", "abc:1.5", "abc:x", "abc:99999999999999999"]) {
      expect(parsePosition(bad), String(bad)).toBeUndefined();
    }
  });
});
