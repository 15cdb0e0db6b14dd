/**
 * What changed in each room's question queue on this node since its last `queue:changed`: the
 * questions submitted or voted for, and those taken out. At the end of the throttle window the
 * queue is read once and the patch built from that read (see protocol queue-changes.ts).
 */
import type { QueueChangedEvent } from "@tokencast/protocol";
import type { ListedQuestions } from "./ports.ts";

export interface PendingChanges {
  changed: Set<string>;
  removed: Set<string>;
}

export class QueueChanges {
  private readonly byRoom = new Map<string, PendingChanges>();

  changed(roomId: string, questionId: string): void {
    this.of(roomId).changed.add(questionId);
  }

  removed(roomId: string, questionId: string): void {
    this.of(roomId).removed.add(questionId);
  }

  /** The room's changes so far (and none from now on); undefined when there were none. */
  take(roomId: string): PendingChanges | undefined {
    const pending = this.byRoom.get(roomId);
    this.byRoom.delete(roomId);
    return pending;
  }

  clear(): void {
    this.byRoom.clear();
  }

  private of(roomId: string): PendingChanges {
    let pending = this.byRoom.get(roomId);
    if (!pending) this.byRoom.set(roomId, (pending = { changed: new Set(), removed: new Set() }));
    return pending;
  }
}

/**
 * The patch for `pending`, from the queue read after it. Questions that left may let others
 * (unchanged, from below the list) move into it: then the whole visible list goes, `complete`.
 * Otherwise only changed questions that are in the list: one below it concerns nobody yet.
 */
export function patchOf(roomId: string, pending: PendingChanges, listed: ListedQuestions): QueueChangedEvent {
  const complete = pending.removed.size > 0;
  const upserts = complete ? listed.questions : listed.questions.filter((q) => pending.changed.has(q.id));
  // A question taken and put back within the window is not gone: it is listed (or below the list).
  const removed = [...pending.removed].filter((id) => !upserts.some((q) => q.id === id));
  return { roomId, upserts, removed, complete, count: listed.count, version: listed.version };
}
