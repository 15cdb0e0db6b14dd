import type { Member } from "@tokencast/protocol";
import { compareJoins } from "@tokencast/protocol";

/** Where a listing of one role continues: just after this join time and id. */
export type JoinPlace = Pick<Member, "joinedAt" | "id">;

/**
 * Members of one role by join time, then id (the order Redis gives equal scores), listed without
 * sorting the role: on one node members arrive in the order they join, so insertion order is join
 * order and only a page's members (and any who joined in the same ms) are sorted. A member that
 * arrives out of order (an earlier `joinedAt` than the last) makes the list sort itself until it
 * empties again.
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

  /** The first `limit` members. */
  first(limit: number): Member[] {
    return this.after(undefined, limit);
  }

  /** The first `limit` members that sort after `place` (it need not be a member's any more). */
  after(place: JoinPlace | undefined, limit: number): Member[] {
    if (limit <= 0) return [];
    const found: Member[] = [];
    for (const member of this.byJoinTime()) {
      // Members who joined in the same ms as the last one found may sort before it (by id): take them too.
      if (found.length >= limit && member.joinedAt > (found.at(-1) as Member).joinedAt) break;
      if (!place || compareJoins(place, member) < 0) found.push(member);
    }
    return found.sort(compareJoins).slice(0, limit);
  }

  private byJoinTime(): Iterable<Member> {
    if (this.inOrder) return this.members.values();
    return [...this.members.values()].sort((a, b) => a.joinedAt - b.joinedAt);
  }
}
