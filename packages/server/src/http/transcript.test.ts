import { describe, expect, it } from "vitest";
import { defaultSettings, type Message, type RoomInfo } from "@tokencast/protocol";
import { transcriptJson, transcriptMarkdown } from "./transcript.ts";

const room: RoomInfo = {
  id: "talk",
  settings: defaultSettings("chat", "Talk"),
  owned: true,
  model: "m",
  demo: false,
  limits: { maxTextLength: 1000, maxNameLength: 40 },
};
const exportedAt = Date.UTC(2026, 0, 2);

const answer = (id: string, overrides: Partial<Message>): Message => ({
  id,
  roomId: "talk",
  role: "assistant",
  author: "m",
  text: "words",
  seq: 1,
  status: "stopped",
  createdAt: Date.UTC(2026, 0, 1),
  ...overrides,
});

describe("transcripts", () => {
  it("Markdown says who stopped an answer, or that everyone had left, or just that it stopped", () => {
    const messages = [
      answer("a1", { stoppedBy: "Ada\nLovelace" }),
      answer("a2", { stopReason: "nobody_watching" }),
      answer("a3", {}),
    ];
    const heads = transcriptMarkdown({ room, messages, exportedAt })
      .split("\n")
      .filter((line) => line.startsWith("### "));
    expect(heads).toEqual([
      "### m · 2026-01-01T00:00:00.000Z (stopped by Ada Lovelace)",
      "### m · 2026-01-01T00:00:00.000Z (stopped: everyone had left)",
      "### m · 2026-01-01T00:00:00.000Z (stopped)",
    ]);
  });

  it("JSON: the room's id, title, mode and model, the export time and the messages", () => {
    const messages = [answer("a1", { status: "done" })];
    expect(JSON.parse(transcriptJson({ room, messages, exportedAt }))).toEqual({
      room: { id: "talk", title: "Talk", mode: "chat", model: "m" },
      exportedAt: "2026-01-02T00:00:00.000Z",
      messages,
    });
  });
});
