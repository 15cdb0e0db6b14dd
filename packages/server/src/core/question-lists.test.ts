import { describe, expect, it } from "vitest";
import { listKey, parseListKey, QUESTION_LISTS } from "./question-lists.ts";

describe("question list keys", () => {
  it("the queue keeps the room's id; the other lists get their own, read back to room and list", () => {
    expect(listKey("talk_x1", "queue")).toBe("talk_x1");
    expect(listKey("talk_x1", "pending")).toBe("talk_x1/pending");
    for (const list of QUESTION_LISTS)
      expect(parseListKey(listKey("talk_x1", list))).toEqual({ roomId: "talk_x1", list });
  });
});
