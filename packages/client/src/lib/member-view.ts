/**
 * What the member list shows: in small rooms everyone listed; in large rooms viewers only as a
 * count (the listed ones are a bounded slice anyway); "and N more" for the rest. Pure.
 */
import { ROLES } from "@tokencast/protocol";
import type { Member, Role, RoleCounts } from "@tokencast/protocol";
import { ROLE_LABELS, ROLE_PLURALS } from "./permissions.ts";

/** From this many members on, viewers are a count, not names. */
export const LARGE_ROOM_MEMBERS = 30;

export interface MemberView {
  /** Members to list by name (self always, when listed by the server). */
  listed: Member[];
  /** Viewers shown only as a count (large rooms). */
  viewerCount: number;
  /** Members neither listed nor counted as viewers. */
  more: number;
}

export function memberView(
  members: readonly Member[],
  memberCount: number,
  counts: RoleCounts,
  selfId?: string,
): MemberView {
  const large = memberCount >= LARGE_ROOM_MEMBERS;
  const listed = large ? members.filter((m) => m.role !== "viewer" || m.id === selfId) : [...members];
  const listedViewers = listed.filter((m) => m.role === "viewer").length;
  const viewerCount = large ? Math.max(0, counts.viewer - listedViewers) : 0;
  const more = Math.max(0, memberCount - listed.length - viewerCount);
  return { listed, viewerCount, more };
}

/** "1 owner · 2 presenters · 40 viewers" (roles with nobody left out). */
export function describeRoleCounts(counts: RoleCounts): string {
  return ROLES.filter((role) => counts[role] > 0)
    .map((role) => `${counts[role]} ${counts[role] === 1 ? singular(role) : ROLE_PLURALS[role]}`)
    .join(" · ");
}

function singular(role: Role): string {
  return ROLE_LABELS[role].toLowerCase();
}
