import type { Member, MembersResult } from "@tokencast/protocol";

/** Fetches the page after a cursor (the first page without one). */
export type FetchMembers = (options: { after?: string; limit?: number }) => Promise<MembersResult>;

/**
 * Every member of the room, page by page (one request per page, each continuing after the last
 * one's cursor). Members who come and go meanwhile may or may not appear; nobody who stays is
 * skipped or repeated.
 */
export async function* everyMember(fetch: FetchMembers, limit?: number): AsyncGenerator<Member> {
  let after: string | undefined;
  do {
    const page = await fetch({ ...(after === undefined ? {} : { after }), ...(limit === undefined ? {} : { limit }) });
    yield* page.members;
    after = page.next;
  } while (after !== undefined);
}
