/** IPC between the abuse scenario (bench/scenarios/abuse.ts) and its attacker process (abuse-attacker.ts). */

export type AttackName = "flood" | "hog" | "storm";

export interface AttackPlan {
  /** The node's base URL (http://127.0.0.1:port). */
  url: string;
  /** The attacker's one IP, sent as X-Forwarded-For (the node runs with TRUST_PROXY=1). */
  ip: string;
  /** The room with the long history the join flood joins again and again. */
  historyRoom: string;
  /** Sockets of each attack. */
  sockets: Record<AttackName, number>;
  /** An ack not back within this long counts as `no_ack`. */
  ackTimeoutMs: number;
}

/** What one attack did: its calls by event and outcome (`ok` or the refusal code), and what it received. */
export interface AttackTally {
  /** Sockets opened (including replacements), and connections the node refused or closed. */
  connects: number;
  connectFailures: number;
  /** Bytes of every WebSocket message the node sent to this attack's sockets. */
  bytes: number;
  frames: number;
  /** The largest single message. */
  largest: number;
  /** event → outcome → count. */
  calls: Record<string, Record<string, number>>;
  /** Attack-specific figures (rooms held, questions queued…). */
  notes: Record<string, number>;
}

export interface AttackReport {
  seconds: number;
  /** CPU the attacker process used (user + system), in seconds: it shares the machine with the node. */
  cpuSeconds: number;
  attacks: Record<AttackName, AttackTally>;
}

export type AttackerCommand = { type: "start"; plan: AttackPlan } | { type: "stop" };

export type AttackerEvent =
  | { type: "online" }
  /** Every attack has its first sockets connected (or refused) and is running. */
  | { type: "started" }
  | { type: "report"; report: AttackReport };
