/**
 * `@tokencast/sdk/log`: the delivery rule alone (RoomLog and message merging), with no transport,
 * for consumers that bring their own (the server's SSE endpoint, custom clients) and should not
 * load socket.io-client.
 */
export { RoomLog, MAX_BUFFERED_DELTAS } from "./room-log.ts";
export type { LogAction, LogChange, LogStats, RoomLogOptions } from "./room-log.ts";
export { MAX_FINISHED_IDS } from "./message-store.ts";
export { appendDelta, endOf, finalizeMessage, insertionIndex, mergeMessage, sameMessage } from "./message-merge.ts";
