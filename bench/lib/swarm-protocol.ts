/** IPC messages between bench/run.ts (via swarms.ts) and the load-generator processes (swarm.ts). */
import type { ProbeStats } from "./node-probe.mjs";

export type SwarmCommand =
  /**
   * `record`: the first viewer keeps every delta and end frame as Socket.IO sent them (for replay).
   * `ipPrefix`: each viewer sends its own X-Forwarded-For under it ("10.1" → 10.1.0.1, …).
   * `light`: bare-ws viewers (light-viewer.ts) instead of socket.io-client, for audiences of thousands.
   */
  | { type: "sio"; url: string; roomId: string; count: number; record?: boolean; ipPrefix?: string; light?: boolean }
  | { type: "ws"; url: string; count: number }
  /** Forget what was recorded so far (and restart the process probe). */
  | { type: "reset" }
  | { type: "report" }
  | { type: "close" }
  | { type: "exit" };

/** Per delta seq, as seen by this process's viewers. */
export interface SeqTimes {
  seq: number;
  /** Earliest and latest receive time of this delta among the viewers (epoch ms). */
  first: number;
  last: number;
  /** Time the newest token in the delta was written upstream (epoch ms). */
  newestStamp: number;
  viewers: number;
}

export interface SwarmReport {
  /** Token → viewer delay histogram entries (bin → count, see stats.ts BIN_MS). */
  delays: Array<[number, number]>;
  /** chat:delta deliveries per 10 ms bucket of receive time (bucket = floor(epoch / 10)). */
  buckets: Array<[number, number]>;
  seqs: SeqTimes[];
  deltas: number;
  /** Characters of delta text delivered (sum over viewers). */
  chars: number;
  ends: number;
  /** Deliveries out of seq order and ends not at the last seq (light viewers only). */
  gaps: number;
  /** Deliveries whose text differs from another viewer's for the same seq. */
  mismatches: number;
  /** Frames recorded by the first viewer (see `record`): `42["chat:delta",{…}]`, …, `42["chat:end",{…}]`. */
  frames: string[];
  probe: ProbeStats;
  /**
   * Viewers by outcome since they were opened: "ok", the refusal code, "connect_error" (no connect
   * after every try), "lost" (the connection dropped after the join).
   */
  joins: Array<[string, number]>;
  /** Connects that failed and were tried again (a viewer that got in on a retry counts as "ok"). */
  retries: number;
}

export type SwarmEvent =
  | { type: "online" }
  | { type: "ready" }
  | { type: "ended" }
  | { type: "closed" }
  | { type: "report"; report: SwarmReport };
