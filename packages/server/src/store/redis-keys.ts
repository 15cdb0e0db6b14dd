/**
 * Key names of the Redis store. All keys of a room share the hash tag `{room}` so they live in
 * one cluster slot and Lua scripts may touch them together.
 */
export interface RoomKeys {
  /** LIST of message ids, oldest first (capped). */
  order: string;
  /** HASH messageId → message JSON (without text and seq). */
  messages: string;
  /** HASH messageId → current seq. */
  seqs: string;
  /** Prefix of per-message keys; see messageKeys. */
  base: string;
}

export function roomKeys(prefix: string, roomId: string): RoomKeys {
  const base = `${prefix}{${roomId}}`;
  return { order: `${base}:order`, messages: `${base}:msg`, seqs: `${base}:seq`, base };
}

/** STRING with the answer's text so far, and LIST of delta texts (seq n at index n-1). */
export function messageKeys(keys: RoomKeys, messageId: string): { text: string; log: string } {
  return { text: `${keys.base}:text:${messageId}`, log: `${keys.base}:log:${messageId}` };
}
