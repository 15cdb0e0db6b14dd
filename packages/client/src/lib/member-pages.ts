/**
 * "Show all N": the room's whole member list, fetched on demand page by page (`room:members`)
 * rather than sent to everyone with each presence change. Framework-free: the component keeps
 * the state and renders it.
 */
import type { Member, MembersResult } from "@tokencast/protocol";
import { MAX_MEMBER_PAGE } from "@tokencast/protocol";

export type FetchMemberPage = (options: { after?: string; limit?: number }) => Promise<MembersResult>;

export interface MemberPages {
  /** Every member fetched so far, in presence order. */
  members: Member[];
  /** The room's size at the last page. */
  count: number;
  /** Where the next page starts; undefined when the last page is in. */
  next: string | undefined;
}

/**
 * The pages so far plus the next one (the first when there are none yet). A member already held
 * is not added again (one whose role changed between pages sorts elsewhere and could come twice).
 */
export async function withNextPage(fetch: FetchMemberPage, pages?: MemberPages): Promise<MemberPages> {
  const after = pages?.next;
  const page = await fetch({ limit: MAX_MEMBER_PAGE, ...(after === undefined ? {} : { after }) });
  const held = new Set(pages?.members.map((m) => m.id));
  const members = [...(pages?.members ?? []), ...page.members.filter((m) => !held.has(m.id))];
  return { members, count: page.count, next: page.next };
}

/** True when fewer are named than the room holds (presence lists 100; large rooms count viewers): worth "Show all". */
export function hasUnlisted(listed: readonly Member[], memberCount: number): boolean {
  return memberCount > listed.length;
}
