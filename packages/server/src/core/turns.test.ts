import type { Message } from "@tokencast/protocol";
import { describe, expect, it } from "vitest";
import { turnsOf } from "./turns.ts";

function message(id: string, role: Message["role"], extra: Partial<Message> = {}): Message {
  return { id, roomId: "r", role, author: role, text: id, seq: 0, status: "done", createdAt: 0, ...extra };
}

describe("turnsOf", () => {
  it("leaves out answers a regenerated one replaced, and passes the room's system prompt", () => {
    const history = [
      message("q1", "user"),
      message("a1", "assistant", { replyTo: "q1" }),
      message("a2", "assistant", { replyTo: "q1", regenerates: "a1" }),
      message("q2", "user"),
    ];
    const seen: Array<{ ids: string[]; systemPrompt: string | undefined }> = [];
    turnsOf(history, "be brief", (kept, systemPrompt) => {
      seen.push({ ids: kept.map((m) => m.id), systemPrompt });
      return [];
    });
    expect(seen).toEqual([{ ids: ["q1", "a2", "q2"], systemPrompt: "be brief" }]);
  });
});
