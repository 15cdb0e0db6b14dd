import type { HistoryPayload, HistoryResult } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import type { HistoryBudget } from "./history-page.ts";
import type { RoomStore } from "./ports.ts";

/** A room's history in pages: the join snapshot's newest messages, and older pages on request. */
export class RoomHistory {
  constructor(
    private readonly store: RoomStore,
    /** What a join snapshot carries at most; a `room:history` page, its bytes. */
    private readonly budget: HistoryBudget,
  ) {}

  /** The join snapshot's messages: the newest within the budget, with any answer in progress whole. */
  async recent(roomId: string): Promise<HistoryResult> {
    return (await this.store.pageMessages(roomId, this.budget)) ?? { messages: [], more: false };
  }

  /** At most `limit` messages within the byte budget, ending just before `before`. */
  async before(payload: HistoryPayload): Promise<HistoryResult> {
    const request = { before: payload.before, maxMessages: payload.limit, maxBytes: this.budget.maxBytes };
    const page = await this.store.pageMessages(payload.roomId, request);
    if (!page) throw new AppError("not_found", "No such message in this room's history (it may have been trimmed).");
    return page;
  }
}
