export { RoomLog, MAX_BUFFERED_DELTAS } from "./room-log.ts";
export type { LogAction, LogStats } from "./room-log.ts";
export { appendDelta, finalizeMessage, insertionIndex, mergeMessage } from "./message-merge.ts";
