import type { AnswerLocks, AnswerRef } from "../core/ports.ts";

/**
 * AnswerLocks for a single node: a map from room to the answer holding it. The process that
 * owns an answer is the only one there is, so nothing is ever orphaned.
 */
export class MemoryLocks implements AnswerLocks {
  readonly renewEveryMs = 60_000;
  readonly orphanCheckEveryMs = 0;
  private readonly holders = new Map<string, string>();

  async acquire(roomId: string, messageId: string): Promise<boolean> {
    if (this.holders.has(roomId)) return false;
    this.holders.set(roomId, messageId);
    return true;
  }

  async renew(roomId: string, messageId: string): Promise<boolean> {
    return this.holders.get(roomId) === messageId;
  }

  async release(roomId: string, messageId: string): Promise<void> {
    if (this.holders.get(roomId) === messageId) this.holders.delete(roomId);
  }

  /** Alone, nobody would continue it: the same as release (a single node never hands over). */
  async handOver(roomId: string, messageId: string): Promise<void> {
    await this.release(roomId, messageId);
  }

  async orphans(): Promise<AnswerRef[]> {
    return [];
  }

  async forget(_answer: AnswerRef): Promise<void> {
    // Nothing is registered beyond the holder map, which release() clears.
  }
}
