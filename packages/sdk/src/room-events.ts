/** The events a connected room (`connectRoom`) emits, by name. */
import type { EndEvent, Message, PresenceEvent } from "@tokencast/protocol";
import type { RequestError } from "./socket-request.ts";
import type { ConnectionState } from "./sync-types.ts";

export interface RoomEvents {
  /** A message is new, or was replaced whole (a snapshot after a reconnect, a change by the server). */
  message: Message;
  /** An answer's text grew by `text` and now holds deltas 1..seq: each delta once, in order. */
  delta: { messageId: string; seq: number; text: string };
  /** An answer ended while this room watched (`message` is its final state; `end` says how). */
  end: { message: Message; end: EndEvent };
  /** An answer started (or was streaming when this room joined): follow it with `room.answer(id)`. */
  answer: Message;
  /** Reasoning ("thinking") text of an answer grew by `text`. */
  reasoning: { messageId: string; text: string };
  /** Who is in the room changed. */
  presence: PresenceEvent;
  /** The connection's state changed (`live` after every join, `offline` when closed or given up). */
  state: ConnectionState;
  /** A join was refused (retried unless the refusal is final), or the room was closed by the server. */
  error: RequestError;
}
