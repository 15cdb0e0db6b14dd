/**
 * Every Redis key and channel name the server uses, made here and nowhere else (existing
 * deployments keep their data: a changed name is lost data; redis-keys.test.ts pins them all).
 * All keys of a room share the hash tag `{room}` so they live in one cluster slot and Lua
 * scripts may touch them together.
 */
import type { LimiterName } from "../core/ports.ts";

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
  /** STRING: the room's join code (see joinCodeKey for the other way round). */
  joinCode: string;
  /** HASH question id → queued question JSON (without votes). */
  queue: string;
  /** HASH question id → votes. */
  votes: string;
  /** HASH question id → the queue version of its last change. */
  revs: string;
  /** STRING: the queue's version (increases with every change). */
  queueVersion: string;
  /** STRING (SET NX PX): the id of the answer holding the room; see redis-locks.ts. */
  answerLock: string;
  /** HASH shared prompt key → the claim (JSON) holding it; see redis-prompt-scripts.ts. */
  prompts: string;
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
    joinCode: `${base}:join-code`,
    queue: `${base}:queue`,
    votes: `${base}:queue-votes`,
    revs: `${base}:queue-revs`,
    queueVersion: `${base}:queue-version`,
    answerLock: `${base}:answer-lock`,
    prompts: `${base}:prompts`,
    base,
  };
}

/** The per-message keys: `text` (STRING, the answer so far) and `log` (LIST, seq n at index n-1). */
export type MessagePart = "text" | "log";

export function messageKeys(keys: RoomKeys, messageId: string): Record<MessagePart, string> {
  return { text: `${keys.base}:text:${messageId}`, log: `${keys.base}:log:${messageId}` };
}

/**
 * The same per-message key as a Lua expression, from a script's variables holding the room's
 * `base` and a message id. Scripts that trim or page the history only learn the ids inside Redis,
 * so they cannot receive these names as KEYS; they build them with this, never by hand.
 */
export function luaMessageKey(part: MessagePart, baseVar: string, idVar: string): string {
  return `${baseVar} .. ':${part}:' .. ${idVar}`;
}

/** Sorted set of the answers in progress across the cluster ("<room> <answer>" by start time). */
export function answerRegistryKey(prefix: string): string {
  return `${prefix}answers`;
}

/** ZSET node id → last heartbeat (ms), and per node a SET of "<room> <member>" it registered. */
export function nodeKeys(prefix: string, nodeId: string): { nodes: string; members: string } {
  return { nodes: `${prefix}nodes`, members: `${prefix}node:${nodeId}:members` };
}

/** STRING: the id of the room a join code names (outside any room's hash tag: codes are looked up alone). */
export function joinCodeKey(prefix: string, code: string): string {
  return `${prefix}join-code:${code}`;
}

/** SET of who voted for a queued question. */
export function votersKey(keys: RoomKeys, questionId: string): string {
  return `${keys.base}:voters:${questionId}`;
}

/** STRING: the secret voter ids are signed with when TOKEN_SECRET is not set (shared by every node). */
export function voterSecretKey(prefix: string): string {
  return `${prefix}voter-secret`;
}

/** The cluster-wide upstream slots (see redis-slots-scripts.ts for what each holds). */
export function slotsKeys(prefix: string): { holders: string; line: string; arrivals: string; leases: string } {
  const base = `${prefix}slots`;
  return { holders: `${base}:holders`, line: `${base}:line`, arrivals: `${base}:arrivals`, leases: `${base}:leases` };
}

/** rate-limiter-flexible's keyPrefix of a budget: its keys are `<this>:<client key>`. */
export function limiterKeyPrefix(prefix: string, name: LimiterName): string {
  return `${prefix}rl:${name}`;
}

/** rate-limiter-flexible's keyPrefix of the token quota counters: keys are `<this>:<payer>`. */
export function quotaKeyPrefix(prefix: string): string {
  return `${prefix}quota`;
}

/** The Socket.IO Redis adapter's `key`: its channels are `<this>#/#…` and `<this>-request#/#`… */
export function adapterKey(prefix: string): string {
  return `${prefix}socket.io`;
}
