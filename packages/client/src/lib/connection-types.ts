/** The public shapes of RoomConnection: the SDK's transport options plus the room's product features. */
import type { RoomInfo } from "@tokencast/protocol";
import type { RoomSyncOptions } from "@tokencast/sdk";
import type { QuestionIdMemory } from "./question-queue.ts";
import type { VoterStore } from "./room-keys.ts";

export type { ConnectionState, ConnectionStats } from "@tokencast/sdk";

export interface RoomConnectionOptions extends RoomSyncOptions {
  /**
   * The server refused `token` (`forbidden`, `token_expired`): the caller should forget it. The connection
   * drops it.
   */
  onTokenRejected?: () => void;
  /** Where the signed voter id the server gives is kept; sent with every join (one vote per voter). */
  voter?: VoterStore;
  /** The server refused `key` (`forbidden`): the caller should forget it. The connection drops it. */
  onKeyRejected?: () => void;
  /** Where this person's queue votes are remembered (default: one memory per tab, by room). */
  votes?: QuestionIdMemory;
  /** Where the questions this person asked are remembered (default: one memory per tab, by room). */
  asked?: QuestionIdMemory;
  /** How long another member's typing entry lasts without a refresh (default TYPING_TTL_MS). */
  typingTtlMs?: number;
}

/** One-off room events for the UI to announce (a toast), as opposed to state. */
export type RoomNotice =
  | { type: "settings-changed"; by: string; room: RoomInfo }
  /** A presenter dismissed a question this person asked (only the asker hears of it). */
  | { type: "question-dismissed"; text: string };
