import type { Role } from "./rooms.ts";
import { ROLES } from "./rooms.ts";

/**
 * A place in a room's member listing: listings are ordered by role rank (owner first), then join
 * time, then id, so a place stays meaningful after the member who held it leaves (a page after it
 * starts with whoever sorts next, skipping nobody who is still there).
 */
export interface MemberPlace {
  role: Role;
  joinedAt: number;
  id: string;
}

/** Longest cursor `memberCursor` makes: rank, a ms timestamp and a member id (MAX_ID_LENGTH). */
export const MAX_MEMBER_CURSOR_LENGTH = 100;

/**
 * "<rank>.<joinedAt>.<id>"; the id may hold dots, so it is whatever follows the second one. Join
 * times are ms timestamps of at most 13 digits (until the year 2286), so that a forged one cannot
 * reach past its role in a store that orders by rank × 10^13 + join time.
 */
const CURSOR_PATTERN = /^(\d)\.(0|[1-9]\d{0,12})\.(.{1,64})$/s;

/** The cursor that continues a listing after `member` (opaque to clients). */
export function memberCursor(member: MemberPlace): string {
  return `${ROLES.indexOf(member.role)}.${member.joinedAt}.${member.id}`;
}

/** The place a cursor names; undefined when it is not one `memberCursor` could have made. */
export function readMemberCursor(cursor: string): MemberPlace | undefined {
  const match = CURSOR_PATTERN.exec(cursor);
  if (!match) return undefined;
  const role = ROLES[Number(match[1])];
  return role === undefined ? undefined : { role, joinedAt: Number(match[2]), id: match[3] as string };
}

/** Orders members as listings do: role rank, then join time, then id. */
export function compareMembers(a: MemberPlace, b: MemberPlace): number {
  return ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || compareJoins(a, b);
}

/**
 * Orders members of one role: join time, then id by UTF-16 code unit, which is Redis's byte order
 * for equal scores as long as ids are ASCII (socket ids and SSE viewer ids are).
 */
export function compareJoins(a: Omit<MemberPlace, "role">, b: Omit<MemberPlace, "role">): number {
  if (a.joinedAt !== b.joinedAt) return a.joinedAt - b.joinedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
