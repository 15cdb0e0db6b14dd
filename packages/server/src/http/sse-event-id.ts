/**
 * Event ids of the room event stream: `<messageId>:<seq>` (the consumer has that message's text
 * through delta `seq`) or `<messageId>:end` (it has all of it, ended). Message ids never hold ':'.
 */

export type StreamPosition = { messageId: string; seq: number } | { messageId: string; end: true };

export function positionId(messageId: string, seq: number | "end"): string {
  return `${messageId}:${seq}`;
}

/** Parses a Last-Event-ID; anything malformed is undefined (the consumer then gets everything). */
export function parsePosition(value: string | undefined): StreamPosition | undefined {
  if (!value) return undefined;
  const colon = value.lastIndexOf(":");
  if (colon <= 0) return undefined;
  const messageId = value.slice(0, colon);
  const suffix = value.slice(colon + 1);
  if (suffix === "end") return { messageId, end: true };
  if (!/^\d{1,15}$/.test(suffix)) return undefined;
  return { messageId, seq: Number(suffix) };
}
