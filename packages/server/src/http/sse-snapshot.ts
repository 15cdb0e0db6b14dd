/**
 * The history an SSE stream starts from. A join brings only the room's recent history (within
 * JOIN_HISTORY_BYTES); a consumer resuming with a Last-Event-ID older than that gets the pages
 * before it (`room:history`) until its message is in, so that resuming still skips nothing.
 */
import type { JoinPayload, Message } from "@tokencast/protocol";
import type { RoomViewer } from "./room-viewer.ts";
import { parsePosition } from "./sse-event-id.ts";

export async function snapshotSince(
  viewer: RoomViewer,
  join: JoinPayload,
  lastEventId: string | undefined,
): Promise<Message[]> {
  const joined = await viewer.join(join);
  const resumeAt = parsePosition(lastEventId)?.messageId;
  let messages = joined.messages;
  let more = joined.moreHistory;
  while (resumeAt !== undefined && more && messages[0] && !messages.some((m) => m.id === resumeAt)) {
    const page = await viewer.history(join.roomId, messages[0].id);
    messages = [...page.messages, ...messages];
    more = page.more && page.messages.length > 0;
  }
  return messages;
}
