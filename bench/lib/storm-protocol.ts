/** IPC between the join-storm scenario (scenarios/join-storm.ts) and its load generators (storm-viewers.ts). */

export type StormCommand =
  /**
   * Opens `count` viewers, the k-th at `startAt + slots[k]` (epoch ms), each with its own client IP
   * under `ipPrefix` (sent as X-Forwarded-For), and joins each to `roomId`.
   */
  | {
      type: "storm";
      url: string;
      roomId: string;
      /** The answer streaming in the room: each viewer builds its text. */
      answerId: string;
      slots: number[];
      startAt: number;
      ipPrefix: string;
    }
  | { type: "report" }
  | { type: "exit" };

export interface StormReport {
  /** room:join → ack, ms, per acknowledged viewer. */
  ackMs: number[];
  /** Scheduled start → ack, ms (the connect included), per acknowledged viewer. */
  slotToAckMs: number[];
  /** Join outcomes: "ok" or the refusal code ("no_ack", "closed", …). */
  outcomes: Array<[string, number]>;
  /** Per final answer text (sha1 of it), how many viewers built it; "(no end)" for those that saw none. */
  texts: Array<[string, number]>;
  /** Viewers that had to resume (a seq gap, or an end past their last seq). */
  resumes: number;
  presenceFrames: number;
  presenceBytes: number;
  /** Bytes of the join acks, summed. */
  ackBytes: number;
}

export type StormEvent = { type: "online" } | { type: "settled" } | { type: "report"; report: StormReport };
