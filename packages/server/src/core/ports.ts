/**
 * The interfaces core/ depends on. Backends (memory / Redis store, OpenAI-compatible / demo
 * upstream, Socket.IO broadcaster) implement them elsewhere; core imports only this file.
 */
import type {
  DeltaEvent,
  Delta,
  EndEvent,
  Member,
  MemberPlace,
  Message,
  PresenceEvent,
  QueueChangedEvent,
  QuestionDismissedEvent,
  RoomClosedEvent,
  RoomUpdatedEvent,
  TypingEvent,
  QueuedQuestion,
  RoleCounts,
  RoomSettings,
  ReasoningEvent,
  ReplayEvent,
  StopRequest,
  WindowNotice,
  Usage,
} from "@tokencast/protocol";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { HistoryPage, HistoryRequest } from "./history-page.ts";
import type { QuestionList } from "./question-lists.ts";

// ---------- upstream (the LLM) ----------

/** One turn of the conversation sent upstream. */
export interface ChatTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface AnswerRequest {
  /** Conversation so far, oldest first, ending with the user turn to answer. */
  turns: ChatTurn[];
  /** Aborting cancels the upstream HTTP request (the server sees the connection close). */
  signal: AbortSignal;
  /** The room's model, when it names one; otherwise the source's default. */
  model?: string;
  /**
   * The answer's text so far, when another node started it and died: the source continues this
   * text (its events are what follows it), instead of answering anew. Only when `continues`.
   */
  continueFrom?: string;
}

/** What an upstream stream yields, normalised across LocalAI / llama.cpp / Ollama / vLLM / OpenAI. */
export type AnswerEvent =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; reason: string };

/**
 * A source of streamed answers. `stream` yields events until the answer is complete and then
 * returns; it throws an `UpstreamError` (named code) on any failure, and an `AbortError`-like
 * error (or just returns) when the request's signal is aborted.
 */
export interface AnswerSource {
  /** Model name shown to users. */
  readonly model: string;
  /** True for the built-in demo model. */
  readonly demo: boolean;
  /** True when `stream` continues a partial answer (`continueFrom`); otherwise a dead node's answer ends. */
  readonly continues: boolean;
  stream(request: AnswerRequest): AsyncIterable<AnswerEvent>;
  /** The model ids the LLM server offers (`/v1/models`); throws when it cannot tell. Absent: only `model`. */
  listModels?(signal: AbortSignal): Promise<string[]>;
}

// ---------- store ----------

/**
 * Room history and per-answer delta logs. The log is the truth: every delta a viewer can see
 * was appended here first. Implementations: memory (one node), Redis (many nodes).
 */
export interface RoomStore {
  /** Append a message to the room's history, trimming the oldest beyond the history cap. */
  addMessage(message: Message): Promise<void>;
  /** The room's history, oldest first (an answer in progress carries its text so far and seq). */
  listMessages(roomId: string): Promise<Message[]>;
  /**
   * A page of the history by the rule of `newestWithin` (core/history-page.ts): the newest
   * messages, or those just before `request.before`, within its budget; undefined when `before` is
   * not in the history. Reads the page, not the whole history (joins and paging must stay cheap).
   * The page is read-only: a store may hand every reader the same (frozen) page until the room's
   * history changes.
   */
  pageMessages(roomId: string, request: HistoryRequest): Promise<HistoryPage | undefined>;
  getMessage(roomId: string, messageId: string): Promise<Message | undefined>;
  /**
   * Append one delta to an answer's log and to its text, atomically. Only a `streaming` answer
   * takes deltas, and only with `delta.seq` = its seq + 1: "appended". A retry of the last
   * delta already stored (same seq, same text) is "duplicate". Anything else is "refused" and
   * changes nothing: the answer has ended (e.g. another node ended it) or is gone. This is the
   * fence that keeps a stale owner from writing. `owner` (when given): the number of times the
   * answer had been continued when this writer took it (0 for the node that started it); a write
   * from an owner the answer has moved on from is refused too.
   */
  appendDelta(roomId: string, messageId: string, delta: Delta, owner?: number): Promise<AppendResult>;
  /** Deltas with seq > afterSeq, in order. */
  readDeltas(roomId: string, messageId: string, afterSeq: number): Promise<Delta[]>;
  /**
   * Ends a `streaming` message, once: sets its final status and end fields (text and seq are
   * untouched) and returns it as ended. Returns undefined when it was not streaming (someone
   * else ended it) or does not exist; then nothing changes. `owner`: as for appendDelta.
   */
  finishMessage(roomId: string, messageId: string, patch: EndPatch, owner?: number): Promise<Message | undefined>;
  /**
   * Takes a `streaming` answer over for `by` (a node), to continue it, if it was last owned by
   * `owner` (its continuations so far, as the caller read them): adds `by` to its `continuedBy`
   * (the previous owner's writes are refused from now on) and clears its queue place. Returns the
   * message as it now is (its text and seq are where the continuation starts), or undefined when
   * it is not streaming or another node took it first (nothing changes).
   */
  continueMessage(roomId: string, messageId: string, by: string, owner: number): Promise<Message | undefined>;
  /**
   * Marks a `streaming` answer queued at `place` in the line for the LLM, or (undefined) no
   * longer queued; returns the message, or undefined when it is not streaming (nothing changes).
   */
  setQueued(roomId: string, messageId: string, place: number | undefined): Promise<Message | undefined>;
  /**
   * Ask-once: claims the room's shared prompt `key` (a hash of its text) for `claim`, atomically
   * across nodes, when nobody holds it or when the holder is still `replacing` (a stale claim the
   * caller saw). Returns the holder afterwards: `claim` itself when this call won. A room keeps
   * at most MAX_SHARED_PROMPTS keys (when full, the index starts over); they expire with the room.
   */
  claimPrompt(roomId: string, key: string, claim: PromptClaim, replacing?: PromptClaim): Promise<PromptClaim>;
  /** Gives up `claim` (its answer could not start); nothing changes when another claim holds the key. */
  releasePrompt(roomId: string, key: string, claim: PromptClaim): Promise<void>;
}

/** The question and answer that hold a room's shared prompt, and when it was claimed (epoch ms). */
export interface PromptClaim {
  messageId: string;
  replyId: string;
  claimedAt: number;
}

/** Shared prompts a room remembers at most (each is a hash and two ids: the index stays small). */
export const MAX_SHARED_PROMPTS = 500;

// ---------- the LLM's capacity ----------

/**
 * How many answers stream from the LLM at once (LLM_MAX_CONCURRENT): per node in memory mode,
 * across the cluster in Redis mode (the nodes share one LLM server). A fair line: first come,
 * first served, with each waiter told its place whenever it changes.
 */
export interface UpstreamSlots {
  /**
   * Resolves with a release function once a slot is held; `onPlace` hears the place in line
   * (1 = next) while waiting. Resolves with a no-op when `signal` aborts first.
   */
  acquire(id: string, signal: AbortSignal, onPlace: (place: number) => void): Promise<() => void>;
}

/**
 * A budget of actions per key (a client IP) over a fixed window: per node in memory, shared by
 * every node in Redis mode. A store failure lets the action through (limits must not take the
 * service down).
 */
export interface ActionBudget {
  /** Spends one action of `key`'s budget: undefined when allowed, otherwise the ms until one is. */
  spend(key: string): Promise<number | undefined>;
}

/** Token counts per key over a fixed window (quotas); memory or Redis. */
export interface TokenCounters {
  /** Tokens counted under `key` in the current window. */
  used(key: string): Promise<number>;
  add(key: string, tokens: number): Promise<void>;
}

/** The budgets rate-limiter-flexible keeps per client IP (or per user), each under its own name. */
export type LimiterName = "ip" | "http" | "rooms" | "bytes" | "adhoc-rooms" | "answers" | "join-codes";

/** `points` per `duration` seconds. */
export interface LimiterBudget {
  points: number;
  duration: number;
}

/**
 * Makes the budgets the edge spends per client IP, and the quotas' token counters: per node in
 * memory (store/limiters.ts), shared by every node in Redis mode (store/redis-limiters.ts).
 */
export interface Limiters {
  /** A budget named `name` (names keep budgets apart where they share a store). */
  limiter(name: LimiterName, budget: LimiterBudget): RateLimiterAbstract;
  /** Token counters over a fixed window of `windowSeconds` (quotas). */
  counters(windowSeconds: number): TokenCounters;
}

// ---------- rooms and their question queues ----------

/** A created room: its settings and the hashes of its secret keys (the keys are never stored). */
export interface RoomRecord {
  id: string;
  settings: RoomSettings;
  ownerKeyHash: string;
  presenterKeyHash: string;
  createdAt: number;
}

/** Created rooms. A room's record lives as long as its history: `touch` on activity keeps it. */
export interface RoomRecords {
  /** False (and nothing changes) when a room with this id exists. */
  create(record: RoomRecord): Promise<boolean>;
  get(roomId: string): Promise<RoomRecord | undefined>;
  /** Replaces the settings of an existing room; undefined when there is none. */
  updateSettings(roomId: string, settings: RoomSettings): Promise<RoomRecord | undefined>;
  touch(roomId: string): Promise<void>;
  /** The room's invitation epoch: tokens minted under an older one are withdrawn (0 at first). */
  invitationEpoch(roomId: string): Promise<number>;
  /** Withdraws every token minted so far: the epoch goes up by one; returns the new one. */
  revokeTokens(roomId: string): Promise<number>;
  /**
   * The room's join code: the one it has, else `code` when no live room holds it (then the room
   * has it until it expires). Undefined when another room holds `code`. `touch` keeps the code.
   */
  claimJoinCode(roomId: string, code: string): Promise<string | undefined>;
  /** The room that holds `code`; undefined when none does (never claimed, or its room expired). */
  roomOfJoinCode(code: string): Promise<string | undefined>;
}

/** A presentation's questions waiting for a presenter, with one vote per voter and question. */
export interface QuestionQueue {
  /**
   * False when the room already has `maxQueued` questions (nothing changes). `asker` (the
   * submitter's voter id) is who may edit or withdraw it; it is kept apart, never listed.
   */
  submit(question: QueuedQuestion, maxQueued: number, asker: string): Promise<boolean>;
  /** Counts the vote once per voter; returns the votes, or undefined when there is no such question. */
  vote(roomId: string, questionId: string, voterId: string): Promise<number | undefined>;
  /** Takes back the voter's vote (if any); returns the votes, or undefined when there is no such question. */
  unvote(roomId: string, questionId: string, voterId: string): Promise<number | undefined>;
  /** The asker's new wording (a change: its rev goes up; votes stay). */
  edit(roomId: string, questionId: string, asker: string, text: string): Promise<AskerChange>;
  /** Takes the asker's question out of the queue. */
  withdraw(roomId: string, questionId: string, asker: string): Promise<AskerChange>;
  /** Removes the question and returns it with its asker; undefined when it is gone (taken or dismissed already). */
  take(roomId: string, questionId: string): Promise<TakenQuestion | undefined>;
  /** The first `limit` questions (most votes, then oldest), how many there are, and the queue's version. */
  list(roomId: string, limit: number): Promise<ListedQuestions>;
}

/** What an asker's change to their question did: done, refused (someone else's question), or nothing (it left). */
export type AskerChange = "done" | "not_yours" | "gone";

export interface TakenQuestion {
  question: QueuedQuestion;
  /** Who asked it (their voter id): who hears that it was dismissed. */
  asker: string;
}

/** A queue as read at one version: every change (submit, counted vote, take) raises the version; it never goes back. */
export interface ListedQuestions {
  questions: QueuedQuestion[];
  count: number;
  version: number;
}

export type AppendResult = "appended" | "duplicate" | "refused";

export type MessagePatch = Partial<
  Pick<Message, "status" | "error" | "finishReason" | "usage" | "stoppedBy" | "stopReason" | "reasoning" | "timing">
>;

/** The fields that end an answer: a final status and what goes with it. */
export type EndPatch = MessagePatch & { status: Exclude<Message["status"], "pending" | "streaming"> };

// ---------- live fan-out ----------

/** Pushes events to everyone in a room (Socket.IO rooms in production). */
export interface Broadcaster {
  message(message: Message): void;
  delta(delta: DeltaEvent): void;
  end(end: EndEvent): void;
  reasoning(reasoning: ReasoningEvent): void;
  presence(presence: PresenceEvent): void;
  roomUpdated(event: RoomUpdatedEvent): void;
  /** To everyone in the room but the typing member's own connection. */
  typing(event: TypingEvent): void;
  /** A list's patch: the queue and the answered list to the whole room, `pending` to owner and presenters only. */
  queue(event: QueueChangedEvent, list: QuestionList): void;
  /** To the connections (on any node) of the voter `asker` in the room only. */
  questionDismissed(event: QuestionDismissedEvent, asker: string): void;
  /** An owner or presenter replays a finished answer for everyone (`chat:replay`). */
  replay(event: ReplayEvent): void;
  /**
   * The room is gone (its record was lost or expired): each member is told (`room:closed`), then
   * disconnected — on every node, or (`local`) on this node only. Returns how many.
   */
  closeRoom(event: RoomClosedEvent, scope: "cluster" | "local"): Promise<number>;
  /**
   * Disconnects, on every node, the room's connections whose way in `drop` refuses (a withdrawn
   * token, no credentials in a room made private, ...): their clients reconnect and are refused.
   */
  dropMembers(roomId: string, drop: (access: MemberAccess) => boolean): Promise<number>;
}

/**
 * Where the transport reports what a room's streamed broadcasts (deltas, reasoning) cost this
 * node: the time its event loop spent sending one. The room's coalescing window adapts to it.
 */
export interface BroadcastCosts {
  observe(roomId: string, costMs: number): void;
  /**
   * A broadcast to the room is being written out over several loop turns (paced): its `observe`
   * comes when the last member has it. The room's next batch waits for that.
   */
  fanOutStarted?(roomId: string): void;
}

/** How a connection got into a room: with a room token, with a room key, or (neither) the share link. */
export interface MemberAccess {
  token?: string;
  key?: boolean;
}

export type { Member };

// ---------- answer ownership ----------

/** Which answer: the room and the message id. */
export interface AnswerRef {
  roomId: string;
  messageId: string;
}

/**
 * One answer streams per room at a time, cluster-wide. The node that acquires the room's lock
 * owns the answer; it renews the lease while streaming and releases it at the end. A node that
 * dies stops renewing: its lease lapses and any node finds the answer among `orphans()`.
 */
export interface AnswerLocks {
  /** True when this answer now holds the room; false when another answer does. */
  acquire(roomId: string, messageId: string): Promise<boolean>;
  /**
   * Extends the lease (re-taking it if it lapsed while nobody else took the room and the answer
   * is still streaming). False when the answer lost the room or is no longer streaming.
   */
  renew(roomId: string, messageId: string): Promise<boolean>;
  /** Gives the room back and forgets the answer. */
  release(roomId: string, messageId: string): Promise<void>;
  /**
   * Gives the room back but keeps the answer registered, still streaming: it is an orphan at once,
   * for another node to continue (a node shutting down hands its answers over).
   */
  handOver(roomId: string, messageId: string): Promise<void>;
  /** Registered answers whose owner's lease lapsed: another node must end them. */
  orphans(): Promise<AnswerRef[]>;
  /** Forgets an orphan once it has been ended (or found already ended). */
  forget(answer: AnswerRef): Promise<void>;
  /** How often an owner renews, in ms. */
  readonly renewEveryMs: number;
  /** How often nodes look for orphans, in ms (0: never, e.g. on a single node). */
  readonly orphanCheckEveryMs: number;
}

// ---------- members across nodes ----------

export interface MemberListing {
  members: Member[];
  count: number;
  roleCounts: RoleCounts;
}

/** A page of a listing: `more` when members follow its last one. */
export interface MemberPage extends MemberListing {
  more: boolean;
}

/**
 * Who is in each room, on every node (presence). Each node adds and removes its own
 * connections; a node that stops heart-beating has its members swept by the others.
 */
export interface MemberDirectory {
  /** `ip`: the member's client IP, counted by `countFrom` and never listed. */
  add(roomId: string, member: Member, ip?: string): Promise<void>;
  remove(roomId: string, memberId: string): Promise<void>;
  /** How many of the room's members (on every node) were added with this client IP. */
  countFrom(roomId: string, ip: string): Promise<number>;
  /** The first `limit` members (most powerful role first, then by join time) and the counts. */
  list(roomId: string, limit: number): Promise<MemberListing>;
  /**
   * Up to `limit` members in the same order, starting just after `after` (a place that need not
   * be anyone's any more: members who left never make a page skip one still there), and the counts.
   * Reads only what it returns (plus a search), whatever the room's size.
   */
  page(roomId: string, after: MemberPlace | undefined, limit: number): Promise<MemberPage>;
  /** Tells the others this node is alive (every `heartbeatEveryMs`). */
  heartbeat(): Promise<void>;
  /** Removes the members of nodes that stopped heart-beating; returns the rooms that changed. */
  sweep(): Promise<string[]>;
  /** 0 when there are no other nodes (nothing to heartbeat or sweep). */
  readonly heartbeatEveryMs: number;
}

// ---------- other nodes ----------

/** Reaches the other nodes of the cluster (none in memory mode). */
export interface Cluster {
  /** Asks the node running the answer to stop it; true when one did. */
  requestStop(request: StopRequest): Promise<boolean>;
  /** Serves other nodes' stop requests; the handler answers true when it stopped the answer. */
  onStopRequest(handler: (request: StopRequest) => boolean): void;
  /** Tells the other nodes this node's coalescing window for a room (see SharedWindows). Fire and forget. */
  shareWindow(roomId: string, ms: number): void;
  /** Hears the other nodes' windows. */
  onWindow(handler: (notice: WindowNotice) => void): void;
}

// ---------- logging ----------

/** The subset of pino's logger that core uses. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

// ---------- metrics ----------

/** Why viewers were sent back to the log for what they missed. */
export type ResyncReason = "slow_viewer" | "store_reconnect" | "resume";

/** What answers report for monitoring (Prometheus in observability/; a no-op in tests). */
export interface Metrics {
  /** An answer waits for an upstream slot; call the returned function when it stops waiting. */
  answerQueued(): () => void;
  /** An answer streams from the upstream; call the returned function when it stops. */
  answerStreaming(): () => void;
  /** Time from the upstream request to its first token. */
  firstToken(ms: number): void;
  /** Tokens (text or reasoning events) read from the upstream. */
  upstreamTokens(count: number): void;
  /** An answer ended; `tokensPerSecond` when it streamed for a measurable time. */
  answerEnded(status: string, tokensPerSecond?: number): void;
  /** The upstream failed with this named code. */
  upstreamError(code: string): void;
  /** A delta was broadcast this long after the first upstream text it carries arrived. */
  deltaBroadcast(delayMs: number): void;
  resync(reason: ResyncReason, count?: number): void;
}
