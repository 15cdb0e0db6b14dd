import { describe, expect, it } from "vitest";
import { createRoomSchema, settingsPatchSchema } from "./rooms.ts";
import { joinPayloadSchema, nameSchema, queueSubmitPayloadSchema, sendPayloadSchema } from "./schemas.ts";
import { hasLoneSurrogate, hasVisibleText, normaliseDisplayText } from "./text-rules.ts";

const INVISIBLE_ONLY = [
  " \t\n\r ",
  "\u200b",
  "\u200b\u200c\u200d",
  "\u2060\ufeff",
  "\u0000\u0007\u001b\u007f",
  "\u0085\u009f",
  " \u00a0\u3000\u2028\u2029",
  "\u3164\u115f\u1160\uffa0",
  "\u2800\u2800",
  "\u200e\u200f\u202e\u2066",
  "\u00ad\ufe0f\u034f",
  "\u200b \u200b\n\u2060",
];
const LONE_SURROGATES = ["\ud800", "abc\udc00", "\ud83d", "x\ud83dy", "\ude00 end", "\udc00\ud800"];

describe("hasVisibleText", () => {
  it.each(INVISIBLE_ONLY)("nothing shows in %j", (text) => expect(hasVisibleText(text)).toBe(false));

  it.each(["a", " ? ", "😀", "\u200bhi\u200b", "👩‍💻", "é", "\u0301", "中文", "-"])("%j shows something", (text) => {
    expect(hasVisibleText(text)).toBe(true);
  });
});

describe("hasLoneSurrogate", () => {
  it.each(LONE_SURROGATES)("%j has one", (text) => expect(hasLoneSurrogate(text)).toBe(true));

  it.each(["", "plain", "😀", "a😀b", "👨‍👩‍👧", "\ud83d\ude00\ud83d\ude00"])("%j has none", (text) =>
    expect(hasLoneSurrogate(text)).toBe(false),
  );
});

describe("normaliseDisplayText", () => {
  it.each([
    ["  Ada  ", "Ada"],
    ["A\u0000d\u0007a", "Ada"],
    ["Ada\nLovelace", "AdaLovelace"],
    ["\u200bAda\u200d", "Ada"],
    ["\ufeff\u2060 Ada \u200b", "Ada"],
    ["Cafe\u0301", "Café"],
    ["\u200b\u200c", ""],
    ["\u0085\u009f", ""],
    ["👨‍👩‍👧 family", "👨‍👩‍👧 family"],
    ["می\u200cخواهم", "می\u200cخواهم"],
  ])("%j → %j", (raw, normalised) => expect(normaliseDisplayText(raw)).toBe(normalised));

  it("is idempotent", () => {
    for (const raw of ["  A\u0301\u0007 b\u200b ", "\u3164x\u3164", "Zoë"]) {
      const once = normaliseDisplayText(raw);
      expect(normaliseDisplayText(once)).toBe(once);
    }
  });
});

describe("question schemas (chat:send, queue:submit)", () => {
  const schemas = [
    ["chat:send", sendPayloadSchema],
    ["queue:submit", queueSubmitPayloadSchema],
  ] as const;

  it.each(schemas)("%s refuses invisible-only text and lone surrogates", (_event, schema) => {
    for (const text of [...INVISIBLE_ONLY, ...LONE_SURROGATES, "", "   "]) {
      expect(schema.safeParse({ roomId: "r", text }).success, JSON.stringify(text)).toBe(false);
    }
  });

  it.each(schemas)(
    "%s keeps real questions as written (trimmed), line breaks and inner zero-width characters included",
    (_event, schema) => {
      for (const [text, kept] of [
        ["  Why?  ", "Why?"],
        ["line one\nline two", "line one\nline two"],
        ["\u200bwhy\u200b", "\u200bwhy\u200b"],
        ["😀", "😀"],
      ]) {
        expect(schema.parse({ roomId: "r", text }).text).toBe(kept);
      }
    },
  );
});

describe("names and titles", () => {
  it("a join's name is normalised; empty after that, too long or with a lone surrogate is refused", () => {
    expect(joinPayloadSchema.parse({ roomId: "r", name: " \u200bAda\u0007 Lovelace\n" }).name).toBe("Ada Lovelace");
    expect(joinPayloadSchema.parse({ roomId: "r", name: "Zoe\u0308" }).name).toBe("Zoë");
    for (const name of ["", "   ", "\u200b\u200d", "\u0000\u0001", "\u3164", "\ud800", "Ada\udfff", "x".repeat(41)]) {
      expect(nameSchema.safeParse(name).success, JSON.stringify(name)).toBe(false);
    }
    expect(nameSchema.parse(`${"x".repeat(40)}\u200b`)).toBe("x".repeat(40));
  });

  it("a room title is normalised on creation and on update, with the same rule", () => {
    expect(createRoomSchema.parse({ title: "\ufeffQuarterly\treview \u200b" }).title).toBe("Quarterlyreview");
    expect(settingsPatchSchema.parse({ title: " Cafe\u0301 " }).title).toBe("Café");
    for (const title of ["\u200b", "\u0007", "\ud800 title", " \u2800 "]) {
      expect(createRoomSchema.safeParse({ title }).success, JSON.stringify(title)).toBe(false);
      expect(settingsPatchSchema.safeParse({ title }).success, JSON.stringify(title)).toBe(false);
    }
  });
});
