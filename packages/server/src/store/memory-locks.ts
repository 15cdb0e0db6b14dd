import type { AnswerLocks } from "../core/ports.ts";

/** AnswerLocks for a single node: a map from room to the answer holding it. */
export class MemoryLocks implements AnswerLocks {
  readonly renewEveryMs = 60_000;
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
}
