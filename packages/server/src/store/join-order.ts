import type { Member } from "@tokencast/protocol";

/**
 * Members of one role in join order, listed without sorting: on one node members arrive in the
 * order they join, so insertion order is join order. A member that arrives out of order (an
 * earlier `joinedAt` than the last) makes the list sort itself until it empties again.
 */
export class JoinOrder {
  private readonly members = new Map<string, Member>();
  private latest = Number.NEGATIVE_INFINITY;
  private inOrder = true;

  get size(): number {
    return this.members.size;
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  /** Adds or replaces a member; one joining again (a later `joinedAt`) moves to the back. */
  set(member: Member): void {
    const known = this.members.get(member.id);
    const moves = known?.joinedAt !== member.joinedAt;
    if (moves) this.members.delete(member.id);
    this.members.set(member.id, member);
    if (moves && member.joinedAt < this.latest) this.inOrder = false;
    this.latest = Math.max(this.latest, member.joinedAt);
  }

  delete(id: string): void {
    this.members.delete(id);
    if (this.members.size > 0) return;
    this.latest = Number.NEGATIVE_INFINITY;
    this.inOrder = true;
  }

  /** The first `limit` members by join time. */
  first(limit: number): Member[] {
    if (limit <= 0) return [];
    if (!this.inOrder) return [...this.members.values()].sort((a, b) => a.joinedAt - b.joinedAt).slice(0, limit);
    const first: Member[] = [];
    for (const member of this.members.values()) {
      if (first.length >= limit) break;
      first.push(member);
    }
    return first;
  }
}
