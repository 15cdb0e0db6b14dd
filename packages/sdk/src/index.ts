export { RoomLog, MAX_BUFFERED_DELTAS } from "./room-log.ts";
export type { LogAction, LogChange, LogStats, RoomLogOptions } from "./room-log.ts";
export { appendDelta, finalizeMessage, insertionIndex, mergeMessage, sameMessage } from "./message-merge.ts";
export { RoomSync } from "./room-sync.ts";
export type { EventName, PayloadOf } from "./room-sync.ts";
export * from "./sync-types.ts";
export { RequestError, request, toRequestError } from "./socket-request.ts";
export type { ResultOf, RoomSocket } from "./socket-request.ts";
export { backoffDelay } from "./backoff.ts";
