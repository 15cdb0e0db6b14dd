import type { ErrorPayload } from "./errors.ts";
import type { Member, Message, MessageStatus, RoomInfo, Usage } from "./message.ts";
import type { JoinPayload, LeavePayload, ResumePayload, SendPayload, StopPayload } from "./schemas.ts";

export type Ack<T> = ({ ok: true } & T) | { ok: false; error: ErrorPayload };
/** Result of events that answer nothing but success. */
export type EmptyResult = Record<never, never>;
export type AckFn<T> = (response: Ack<T>) => void;

export interface Delta {
  seq: number;
  text: string;
}

/** Presence lists at most this many members (the earliest to join); `memberCount` says how many there are. */
export const MAX_LISTED_MEMBERS = 100;

export interface JoinResult {
  room: RoomInfo;
  self: Member;
  /** Up to MAX_LISTED_MEMBERS members, earliest first. */
  members: Member[];
  memberCount: number;
  /** Oldest first; an answer in progress carries its text so far and its seq. */
  messages: Message[];
}

export interface SendResult {
  messageId: string;
  replyId: string;
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
}

export interface PresenceEvent {
  roomId: string;
  /** Up to MAX_LISTED_MEMBERS members, earliest first. */
  members: Member[];
  /** Everyone in the room, on every node. */
  count: number;
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

export interface ClientToServerEvents {
  "room:join": (payload: JoinPayload, ack: AckFn<JoinResult>) => void;
  "room:leave": (payload: LeavePayload, ack: AckFn<EmptyResult>) => void;
  "chat:send": (payload: SendPayload, ack: AckFn<SendResult>) => void;
  "chat:stop": (payload: StopPayload, ack: AckFn<EmptyResult>) => void;
  "chat:resume": (payload: ResumePayload, ack: AckFn<ResumeResult>) => void;
}

export interface ServerToClientEvents {
  "chat:message": (message: Message) => void;
  "chat:delta": (delta: DeltaEvent) => void;
  "chat:end": (end: EndEvent) => void;
  "chat:reasoning": (reasoning: ReasoningEvent) => void;
  "room:presence": (presence: PresenceEvent) => void;
  "room:resync": (resync: ResyncEvent) => void;
}

/** A request from one node to whichever node runs an answer. */
export interface StopRequest {
  roomId: string;
  messageId: string;
  /** Display name of whoever asked to stop. */
  by: string;
}

/** Node-to-node events (Socket.IO serverSideEmit over the Redis adapter). */
export interface InterServerEvents {
  /** Each node answers true when it ran the answer and stopped it. */
  "answer:stop": (request: StopRequest, ack: (stopped: boolean) => void) => void;
}

export interface SocketData {
  name?: string;
  rooms?: string[];
}
