import type { MembersRequest, MembersResult } from "@tokencast/protocol";
import { memberCursor, readMemberCursor } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import type { MemberDirectory } from "./ports.ts";

/**
 * One page of a room's members on every node, in presence order, after the request's cursor. The
 * cursor names the last member of the previous page (role, join time, id), not a position, so
 * members leaving between pages never make a page skip anyone still there.
 */
export async function memberPage(directory: MemberDirectory, request: MembersRequest): Promise<MembersResult> {
  const after = request.after === undefined ? undefined : placeOf(request.after);
  const { members, count, roleCounts, more } = await directory.page(request.roomId, after, request.limit);
  const last = members.at(-1);
  return { members, count, roleCounts, ...(more && last ? { next: memberCursor(last) } : {}) };
}

function placeOf(cursor: string) {
  const place = readMemberCursor(cursor);
  if (!place) throw new AppError("invalid_payload", "`after` is not a cursor from an earlier page's `next`.");
  return place;
}
