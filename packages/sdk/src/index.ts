export { RoomLog, MAX_BUFFERED_DELTAS } from "./room-log.ts";
export type { LogAction, LogChange, LogStats, RoomLogOptions } from "./room-log.ts";
export { MAX_FINISHED_IDS } from "./message-store.ts";
export { appendDelta, endOf, finalizeMessage, insertionIndex, mergeMessage, sameMessage } from "./message-merge.ts";
