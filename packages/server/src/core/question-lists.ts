/**
 * A presentation keeps three lists of questions, each a QuestionQueue "room" of its own: the
 * queue everyone sees, the questions waiting for approval (only owner and presenters see them),
 * and the answered ones (sent to the model; a presenter may restore them). Room ids never hold a
 * "/", so no list's key is ever another room's.
 */
export const QUESTION_LISTS = ["queue", "pending", "answered"] as const;
export type QuestionList = (typeof QUESTION_LISTS)[number];

const SEPARATOR = "/";

/** The QuestionQueue room id that holds `list` of `roomId` (the queue keeps the room's own id). */
export function listKey(roomId: string, list: QuestionList): string {
  return list === "queue" ? roomId : `${roomId}${SEPARATOR}${list}`;
}

/** The room and list a key names (the inverse of listKey). */
export function parseListKey(key: string): { roomId: string; list: QuestionList } {
  const at = key.lastIndexOf(SEPARATOR);
  const list = key.slice(at + 1) as QuestionList;
  return at < 0 || !QUESTION_LISTS.includes(list) ? { roomId: key, list: "queue" } : { roomId: key.slice(0, at), list };
}
