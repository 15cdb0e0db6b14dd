export { RoomLog, MAX_BUFFERED_DELTAS } from "./room-log.ts";
export type { LogAction, LogChange, LogStats, RoomLogOptions } from "./room-log.ts";
export { appendDelta, finalizeMessage, insertionIndex, mergeMessage, sameMessage } from "./message-merge.ts";
