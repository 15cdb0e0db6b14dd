import type { AnswerLocks, AnswerRef } from "../../src/core/ports.ts";
import { MemoryLocks } from "../../src/store/memory-locks.ts";

/**
 * MemoryLocks plus what only a cluster has: an owner that vanished. `lapse` is a lease its owner
 * stopped renewing: the room is free and the answer is listed among `orphans()` until forgotten.
 */
export class HarnessLocks implements AnswerLocks {
  readonly renewEveryMs: number;
  /** 0 as on one node, or a cluster's (the harness runs its upkeep only when a test says). */
  readonly orphanCheckEveryMs: number;
  private readonly inner = new MemoryLocks();
  private readonly lapsed: AnswerRef[] = [];

  constructor(renewEveryMs = new MemoryLocks().renewEveryMs, orphanCheckEveryMs = 0) {
    this.renewEveryMs = renewEveryMs;
    this.orphanCheckEveryMs = orphanCheckEveryMs;
  }

  acquire(roomId: string, messageId: string): Promise<boolean> {
    return this.inner.acquire(roomId, messageId);
  }

  renew(roomId: string, messageId: string): Promise<boolean> {
    return this.inner.renew(roomId, messageId);
  }

  async release(roomId: string, messageId: string): Promise<void> {
    await this.inner.release(roomId, messageId);
    await this.forget({ roomId, messageId });
  }

  /** As a cluster's: the room is free, the answer an orphan at once. */
  async handOver(roomId: string, messageId: string): Promise<void> {
    await this.lapse({ roomId, messageId });
  }

  async orphans(): Promise<AnswerRef[]> {
    return [...this.lapsed];
  }

  async forget(answer: AnswerRef): Promise<void> {
    const index = this.lapsed.findIndex((ref) => ref.roomId === answer.roomId && ref.messageId === answer.messageId);
    if (index >= 0) this.lapsed.splice(index, 1);
  }

  /** The answer's owner stopped renewing its lease: the room is free, the answer an orphan. */
  async lapse(answer: AnswerRef): Promise<void> {
    await this.inner.release(answer.roomId, answer.messageId);
    this.lapsed.push(answer);
  }
}
