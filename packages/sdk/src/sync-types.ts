/** The public shapes and timing constants of RoomSync (the transport). */
import type { ManagerOptions, SocketOptions } from "socket.io-client";
import type { JoinPayload } from "@tokencast/protocol";
import type { LogStats } from "./room-log.ts";

export type ConnectionState = "connecting" | "live" | "reconnecting" | "offline";

export interface RoomSyncOptions {
  /** Server origin, e.g. "http://127.0.0.1:3000", or "" for the page's own origin in a browser. */
  url: string;
  roomId: string;
  name: string;
  /** The room's owner or presenter key (from a `#key=` link): sent with every join. */
  key?: string;
  /** A signed room token (from a `#token=` invitation link): sent with every join; its role wins. */
  token?: string;
  /** The role to take without a key; default: the server's (participant in chat, viewer in presentations). */
  role?: JoinPayload["role"];
  /** Passed to socket.io-client's `io()`; `forceNew` defaults to true (one socket per connection). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

export interface ConnectionStats extends LogStats {
  /** Successful joins (the first one and one per reconnect or resync). */
  joins: number;
}

export const JOIN_TIMEOUT_MS = 8_000;
/** Messages asked for per `room:history` page (the server also caps a page by bytes). */
export const HISTORY_PAGE_SIZE = 50;
/** After a failed `room:history`, the next try waits at least this long (or the server's retryAfter). */
export const HISTORY_RETRY_MS = 2_000;
export const REQUEST_TIMEOUT_MS = 10_000;
export const RESUME_TIMEOUT_MS = 5_000;
/** Failed resumes retried this many times (with backoff) before falling back to a fresh join. */
export const RESUME_MAX_ATTEMPTS = 4;
/** How long a `chat:end` may lag behind a resume that reported the answer over. */
export const END_GRACE_MS = 3_000;
/** Least time between two resync joins. */
export const RESYNC_INTERVAL_MS = 2_000;
/** A streaming answer with no room event for this long is probed (it may have ended unseen). */
export const STALL_AFTER_MS = 10_000;
/** How often the stall check runs. */
export const STALL_CHECK_MS = 2_000;
