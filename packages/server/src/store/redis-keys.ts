/**
 * Key names of the Redis store. All keys of a room share the hash tag `{room}` so they live in
 * one cluster slot and Lua scripts may touch them together.
 */
export interface RoomKeys {
  /** LIST of message ids, oldest first (capped). */
  order: string;
  /** HASH messageId → message JSON (without text and seq). */
  messages: string;
  /** HASH messageId → current seq. */
  seqs: string;
  /** ZSET member id → join time (presence, every node's members). */
  members: string;
  /** HASH member id → member JSON (with the member's client IP and node). */
  memberInfo: string;
  /** HASH client IP → how many members it has in the room. */
  memberIps: string;
  /** STRING: the created room's record (settings, key hashes) as JSON. */
  record: string;
  /** STRING counter: the room's invitation epoch (tokens of an older one are withdrawn). */
  invitationEpoch: string;
  /** HASH question id → queued question JSON (without votes). */
  queue: string;
  /** HASH question id → votes. */
  votes: string;
  /** HASH question id → the queue version of its last change. */
  revs: string;
  /** STRING: the queue's version (increases with every change). */
  queueVersion: string;
  /** Prefix of per-message keys; see messageKeys. */
  base: string;
}

export function roomKeys(prefix: string, roomId: string): RoomKeys {
  const base = `${prefix}{${roomId}}`;
  return {
    order: `${base}:order`,
    messages: `${base}:msg`,
    seqs: `${base}:seq`,
    members: `${base}:members`,
    memberInfo: `${base}:member-info`,
    memberIps: `${base}:member-ips`,
    record: `${base}:room`,
    invitationEpoch: `${base}:token-gen`,
    queue: `${base}:queue`,
    votes: `${base}:queue-votes`,
    revs: `${base}:queue-revs`,
    queueVersion: `${base}:queue-version`,
    base,
  };
}

/** STRING with the answer's text so far, and LIST of delta texts (seq n at index n-1). */
export function messageKeys(keys: RoomKeys, messageId: string): { text: string; log: string } {
  return { text: `${keys.base}:text:${messageId}`, log: `${keys.base}:log:${messageId}` };
}

/** Sorted set of the answers in progress across the cluster ("<room> <answer>" by start time). */
export function answerRegistryKey(prefix: string): string {
  return `${prefix}answers`;
}

/** ZSET node id → last heartbeat (ms), and per node a SET of "<room> <member>" it registered. */
export function nodeKeys(prefix: string, nodeId: string): { nodes: string; members: string } {
  return { nodes: `${prefix}nodes`, members: `${prefix}node:${nodeId}:members` };
}

/** SET of who voted for a queued question. */
export function votersKey(keys: RoomKeys, questionId: string): string {
  return `${keys.base}:voters:${questionId}`;
}

/** STRING: the secret voter ids are signed with when TOKEN_SECRET is not set (shared by every node). */
export function voterSecretKey(prefix: string): string {
  return `${prefix}voter-secret`;
}
