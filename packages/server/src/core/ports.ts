/**
 * The interfaces core/ depends on. Backends (memory / Redis store, OpenAI-compatible / demo
 * upstream, Socket.IO broadcaster) implement them elsewhere; core imports only this file.
 */
import type {
  DeltaEvent,
  Delta,
  EndEvent,
  Member,
  Message,
  PresenceEvent,
  ReasoningEvent,
  StopRequest,
  Usage,
} from "@tokencast/protocol";

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
  stream(request: AnswerRequest): AsyncIterable<AnswerEvent>;
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
  getMessage(roomId: string, messageId: string): Promise<Message | undefined>;
  /**
   * Append one delta to an answer's log and to its text, atomically. `delta.seq` must be the
   * message's seq + 1; anything else is rejected (returns false) so seqs never gap or repeat.
   */
  appendDelta(roomId: string, messageId: string, delta: Delta): Promise<boolean>;
  /** Deltas with seq > afterSeq, in order. */
  readDeltas(roomId: string, messageId: string, afterSeq: number): Promise<Delta[]>;
  /** Set the final (or streaming) status and end fields of a message; text and seq are untouched. */
  updateMessage(roomId: string, messageId: string, patch: MessagePatch): Promise<void>;
}

export type MessagePatch = Partial<
  Pick<Message, "status" | "error" | "finishReason" | "usage" | "stoppedBy" | "reasoning">
>;

// ---------- live fan-out ----------

/** Pushes events to everyone in a room (Socket.IO rooms in production). */
export interface Broadcaster {
  message(message: Message): void;
  delta(delta: DeltaEvent): void;
  end(end: EndEvent): void;
  reasoning(reasoning: ReasoningEvent): void;
  presence(presence: PresenceEvent): void;
}

export type { Member };

// ---------- answer ownership ----------

/**
 * One answer streams per room at a time, cluster-wide. The node that acquires the room's lock
 * owns the answer; it renews the lease while streaming and releases it at the end. A node that
 * dies stops renewing, so the room frees itself after the lease.
 */
export interface AnswerLocks {
  /** True when this answer now holds the room; false when another answer does. */
  acquire(roomId: string, messageId: string): Promise<boolean>;
  /** Extends the lease; false when the lock is no longer this answer's. */
  renew(roomId: string, messageId: string): Promise<boolean>;
  release(roomId: string, messageId: string): Promise<void>;
  /** How often an owner should renew, in ms. */
  readonly renewEveryMs: number;
}

// ---------- other nodes ----------

/** Reaches the other nodes of the cluster (none in memory mode). */
export interface Cluster {
  /** Asks the node running the answer to stop it; true when one did. */
  requestStop(request: StopRequest): Promise<boolean>;
  /** Serves other nodes' stop requests; the handler answers true when it stopped the answer. */
  onStopRequest(handler: (request: StopRequest) => boolean): void;
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
