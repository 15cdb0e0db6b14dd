import type { ErrorPayload } from "./errors.ts";
import type { AnswerTiming, Message, MessageStatus, StopReason, Usage } from "./message.ts";
import type { JoinCodePayload } from "./join-codes.ts";
import type { QueueChangedEvent } from "./queue-changes.ts";
import type { Member, QueuedQuestion, RoleCounts, RoomInfo } from "./rooms.ts";
import type {
  HistoryPayload,
  JoinPayload,
  LeavePayload,
  MembersPayload,
  QuestionPayload,
  QueueEditPayload,
  QueueSubmitPayload,
  RegeneratePayload,
  ReplayPayload,
  ResumePayload,
  SendPayload,
  StopPayload,
  TypingPayload,
  UpdateRoomPayload,
} from "./schemas.ts";

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: ErrorPayload };
/** Result of events that answer nothing but success. */
export type EmptyResult = Record<never, never>;
export type AckFn<T> = (response: Ack<T>) => void;

export interface Delta {
  seq: number;
  text: string;
}

/**
 * Presence lists at most this many members: owner and presenters first, then participants, then
 * viewers, each by join time. `memberCount` and `roleCounts` say how many there are.
 */
export const MAX_LISTED_MEMBERS = 100;

export interface JoinResult {
  room: RoomInfo;
  self: Member;
  /** Up to MAX_LISTED_MEMBERS members, most powerful role first, then earliest. */
  members: Member[];
  memberCount: number;
  /** Everyone in the room by role, on every node. */
  roleCounts: RoleCounts;
  /**
   * The most recent history, oldest first, within the server's byte budget (JOIN_HISTORY_BYTES,
   * JOIN_HISTORY_MESSAGES); an answer in progress is always there, whole, with its text so far and seq.
   */
  messages: Message[];
  /** Older messages exist before `messages`: ask for them with `room:history`. */
  moreHistory: boolean;
  /** A presentation's question queue: the first MAX_LISTED_QUESTIONS, most votes first. */
  queue: QueuedQuestion[];
  queueCount: number;
  /** The queue version the snapshot was read at (see queue-changes.ts: apply it as a complete change). */
  queueVersion: number;
  /** A presentation's answered questions (sent to the model; presenters may restore them): `queue:answered`. */
  answered?: QuestionsSnapshot;
  /** Owner and presenters only: questions waiting for approval, kept by `queue:pending`. */
  pending?: QuestionsSnapshot;
  /**
   * This connection's signed voter id (the one presented, when the server believed it, else a
   * fresh one; fixed for the connection's life): keep it and send it as `voter` on later joins.
   */
  voter: string;
}

/** A list of questions as read at one version: apply it as a complete change (snapshotChange). */
export interface QuestionsSnapshot {
  questions: QueuedQuestion[];
  count: number;
  version: number;
}

/** `queue:submit`'s answer: `pending` when the question waits for a presenter's approval. */
export interface SubmitResult {
  questionId: string;
  pending?: boolean;
}

/** A page of older history: oldest first, ending just before the message asked about. */
export interface HistoryResult {
  messages: Message[];
  /** Still older messages exist before this page. */
  more: boolean;
}

/**
 * A page of the room's members on every node, in presence order (most powerful role first, then
 * join time, then id), with the counts read at the same moment.
 */
export interface MembersResult {
  members: Member[];
  count: number;
  roleCounts: RoleCounts;
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string;
}

export interface SendResult {
  messageId: string;
  replyId: string;
  /** A `shared` send that found the room's answer to the prompt: nothing new was asked. */
  shared?: true;
}

export interface ResumeResult {
  deltas: Delta[];
  status: MessageStatus;
}

export interface DeltaEvent extends Delta {
  roomId: string;
  messageId: string;
}

export interface EndEvent {
  roomId: string;
  messageId: string;
  /** The last delta's seq: a client whose seq is lower resumes the rest. */
  seq: number;
  status: MessageStatus;
  finishReason?: string;
  error?: ErrorPayload;
  usage?: Usage;
  stoppedBy?: string;
  /** Set when the server stopped the answer (no `stoppedBy`): see Message.stopReason. */
  stopReason?: StopReason;
  /** When each piece of text arrived: see Message.timing. */
  timing?: AnswerTiming;
}

/** An owner or presenter replays a finished answer for the whole room, starting now (`chat:replay`). */
export interface ReplayEvent {
  roomId: string;
  messageId: string;
  /** Display name of who started it. */
  by: string;
}

export interface PresenceEvent {
  roomId: string;
  /**
   * Up to MAX_LISTED_MEMBERS members, most powerful role first, then earliest. Absent when the
   * room has more than MAX_LISTED_MEMBERS members and its listed ones did not change since the
   * server's previous presence event for the room: keep the list you hold (the join ack's, or the
   * last one sent). A large room's audience then gets its counts, not the same list again.
   */
  members?: Member[];
  /** Everyone in the room, on every node. */
  count: number;
  roleCounts: RoleCounts;
}

/** Reasoning text streamed apart from the answer (models that "think"). Not seq'd: a cosmetic side channel. */
export interface ReasoningEvent {
  roomId: string;
  messageId: string;
  text: string;
}

/**
 * The server may have missed room events (its Redis subscription was interrupted): join again
 * for a fresh snapshot. Deltas keep flowing meanwhile; the client drops seqs it already has.
 */
export interface ResyncEvent {
  roomId: string;
}

/** The owner changed the room's settings. */
export interface RoomUpdatedEvent {
  roomId: string;
  room: RoomInfo;
  /** Display name of who changed it. */
  by: string;
}

/**
 * The room no longer exists (it expired, or its store lost it): the server drops the room's
 * connections right after. A client shows `error` and does not join again.
 */
export interface RoomClosedEvent {
  roomId: string;
  error: ErrorPayload;
}

/** Someone started or stopped typing a question (sent for members who may prompt). */
export interface TypingEvent {
  roomId: string;
  member: { id: string; name: string };
  typing: boolean;
}

/**
 * A question queue's first MAX_LISTED_QUESTIONS (most votes, then oldest) and its size: the SSE
 * stream's `queue` event (Socket.IO members get `queue:changed` patches instead).
 */
export interface QueueUpdatedEvent {
  roomId: string;
  questions: QueuedQuestion[];
  count: number;
}

export interface ClientToServerEvents {
  "room:join": (payload: JoinPayload, ack: AckFn<JoinResult>) => void;
  "room:leave": (payload: LeavePayload, ack: AckFn<EmptyResult>) => void;
  "chat:send": (payload: SendPayload, ack: AckFn<SendResult>) => void;
  "chat:stop": (payload: StopPayload, ack: AckFn<EmptyResult>) => void;
  "chat:resume": (payload: ResumePayload, ack: AckFn<ResumeResult>) => void;
  /** Members: the page of history before a message (at most `limit`, within the byte budget). */
  "room:history": (payload: HistoryPayload, ack: AckFn<HistoryResult>) => void;
  /** Members: a page of the room's members after the cursor `after` (see MembersResult). */
  "room:members": (payload: MembersPayload, ack: AckFn<MembersResult>) => void;
  /** Owner only. */
  "room:update": (payload: UpdateRoomPayload, ack: AckFn<{ room: RoomInfo }>) => void;
  "room:typing": (payload: TypingPayload, ack: AckFn<EmptyResult>) => void;
  /** Anyone in a presentation: put a question in the queue. */
  "queue:submit": (payload: QueueSubmitPayload, ack: AckFn<SubmitResult>) => void;
  /** Once per person and question. */
  "queue:vote": (payload: QuestionPayload, ack: AckFn<{ votes: number }>) => void;
  /** Takes back one's own vote (nothing changes when there was none). */
  "queue:unvote": (payload: QuestionPayload, ack: AckFn<{ votes: number }>) => void;
  /** The asker only, while the question is still queued: new wording (votes stay). */
  "queue:edit": (payload: QueueEditPayload, ack: AckFn<EmptyResult>) => void;
  /** The asker only, while the question is still queued: takes it out of the queue. */
  "queue:withdraw": (payload: QuestionPayload, ack: AckFn<EmptyResult>) => void;
  /** Presenters: ask the model a queued question (it leaves the queue). */
  "queue:send": (payload: QuestionPayload, ack: AckFn<SendResult>) => void;
  /** Presenters: drop a queued (or pending) question; its asker is told (`queue:dismissed`). */
  "queue:dismiss": (payload: QuestionPayload, ack: AckFn<EmptyResult>) => void;
  /** Owner and presenters: a question waiting for approval joins the queue everyone sees. */
  "queue:approve": (payload: QuestionPayload, ack: AckFn<EmptyResult>) => void;
  /** Presenters: an answered question goes back into the queue (its votes start over). */
  "queue:restore": (payload: QuestionPayload, ack: AckFn<EmptyResult>) => void;
  /**
   * Owner and presenters of a public created room: its join code (made on first request, kept
   * while the room lives). Anyone may look a code up: `GET /api/join-codes/:code`, or open `/j/<code>`.
   */
  "room:join-code": (payload: JoinCodePayload, ack: AckFn<{ code: string }>) => void;
  /** Whoever may prompt: a new answer to the same question; the old one stays in the history. */
  "chat:regenerate": (payload: RegeneratePayload, ack: AckFn<{ replyId: string }>) => void;
  /** Owner and presenters: replay a finished answer for everyone in the room (rate-limited per room). */
  "chat:replay": (payload: ReplayPayload, ack: AckFn<EmptyResult>) => void;
}

export interface ServerToClientEvents {
  "chat:message": (message: Message) => void;
  "chat:delta": (delta: DeltaEvent) => void;
  "chat:end": (end: EndEvent) => void;
  "chat:reasoning": (reasoning: ReasoningEvent) => void;
  /** Replay this finished answer at its original pace, from now (see ReplayEvent). */
  "chat:replay": (event: ReplayEvent) => void;
  "room:presence": (presence: PresenceEvent) => void;
  "room:resync": (resync: ResyncEvent) => void;
  "room:updated": (event: RoomUpdatedEvent) => void;
  "room:closed": (event: RoomClosedEvent) => void;
  "room:typing": (event: TypingEvent) => void;
  /** Patches to the listed queue (see queue-changes.ts); the join ack carries the snapshot. */
  "queue:changed": (event: QueueChangedEvent) => void;
  /** Patches to the answered list (as `queue:changed`; the join ack's `answered` is its snapshot). */
  "queue:answered": (event: QueueChangedEvent) => void;
  /** To owner and presenters only: patches to the questions waiting for approval (the join ack's `pending`). */
  "queue:pending": (event: QueueChangedEvent) => void;
  /** To the asker's own connections only: a presenter dismissed their question. */
  "queue:dismissed": (event: QuestionDismissedEvent) => void;
}

/** A question of yours a presenter dismissed (its text, so the notice can quote it). */
export interface QuestionDismissedEvent {
  roomId: string;
  questionId: string;
  text: string;
}

/** A request from one node to whichever node runs an answer. */
export interface StopRequest {
  roomId: string;
  messageId: string;
  /** Display name of whoever asked to stop. */
  by: string;
}

/** A node's coalescing window for a room, from what fanning the room out to its members costs that node. */
export interface WindowNotice {
  roomId: string;
  /** Which node told it (a window is heard per node: the widest counts). */
  node: string;
  ms: number;
}

/** Node-to-node events (Socket.IO serverSideEmit over the Redis adapter). */
export interface InterServerEvents {
  /** Each node answers true when it ran the answer and stopped it. */
  "answer:stop": (request: StopRequest, ack: (stopped: boolean) => void) => void;
  /** A node's window for a room widened or narrowed (or still holds): the node running its answer batches for it. */
  "window:share": (notice: WindowNotice) => void;
  /** Tell this asker (a voter id), on the nodes where their tabs are, that their question was dismissed. */
  "question:dismissed": (notice: { event: QuestionDismissedEvent; asker: string }) => void;
}
