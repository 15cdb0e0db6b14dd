/**
 * The transport half of the framework-free socket layer: one Socket.IO connection to one room.
 * It joins on every (re)connect, keeps the room's messages exactly in sync with the server's log
 * (via RoomLog) and tells subscribers when anything changed. `connectRoom` (room-client.ts) extends
 * it with typed events; the web client's RoomConnection with the room's product features (roles,
 * settings, typing, queue). No DOM imports, no Node built-ins.
 */
import { io } from "socket.io-client";
import type {
  ClientToServerEvents,
  ErrorCode,
  ErrorPayload,
  JoinPayload,
  JoinResult,
  Member,
  MembersResult,
  Message,
  PresenceEvent,
  RoomInfo,
  SendResult,
} from "@tokencast/protocol";
import { backoffDelay } from "./backoff.ts";
import {
  END_GRACE_MS,
  HISTORY_PAGE_SIZE,
  HISTORY_RETRY_MS,
  JOIN_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  RESUME_MAX_ATTEMPTS,
  RESUME_TIMEOUT_MS,
  RESYNC_INTERVAL_MS,
  STALL_AFTER_MS,
  STALL_CHECK_MS,
} from "./sync-types.ts";
import type { ConnectionState, ConnectionStats, RoomSyncOptions } from "./sync-types.ts";
import { RoomLog } from "./room-log.ts";
import type { LogAction, LogChange } from "./room-log.ts";
import { RequestError, request, toRequestError } from "./socket-request.ts";
import type { ResultOf, RoomSocket } from "./socket-request.ts";
import { ChangeNotifier } from "./change-notifier.ts";
import { TimerSet } from "./timer-set.ts";
import { LivenessWatch, PROBE_TIMEOUT_MS } from "./liveness.ts";

/** Join refusals that retrying cannot fix. */
const PERMANENT_JOIN_ERRORS: readonly ErrorCode[] = ["invalid_payload", "not_found", "forbidden", "token_expired"];

export type EventName = keyof ClientToServerEvents;
export type PayloadOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[0];

export class RoomSync {
  readonly socket: RoomSocket;
  readonly stats: ConnectionStats = { deltasApplied: 0, duplicatesIgnored: 0, gapsDetected: 0, resumes: 0, joins: 0 };
  room: RoomInfo | undefined;
  self: Member | undefined;
  members: Member[] = [];
  /** Everyone in the room; `members` lists at most the first 100. */
  memberCount = 0;
  /** The last join failure, for the UI; cleared by a successful join. */
  lastError: ErrorPayload | undefined;
  /** Older messages exist before the oldest one held: `loadOlder` fetches them. */
  moreHistory = false;
  /** A `room:history` request is in flight. */
  loadingOlder = false;
  /** No `room:history` before this time (ms) after one failed. */
  private olderRetryAt = 0;

  protected currentState: ConnectionState = "connecting";
  /** The key and token every join carries; RoomConnection drops one the server refused. */
  protected key: string | undefined;
  protected token: string | undefined;
  private readonly log = new RoomLog({ stats: this.stats, onChange: (change) => this.onLogChange(change) });
  private readonly changes = new ChangeNotifier();
  private readonly timers = new TimerSet();
  private readonly resumeAttempts = new Map<string, number>();
  /** Identifies the join in flight: answers to older joins are ignored. */
  private joinSeq = 0;
  private joining = false;
  private joinFailures = 0;
  private resyncPending = false;
  private lastResyncAt = 0;
  protected closed = false;
  /** When the last event for this room arrived (or the last stall probe went out). */
  private lastEventAt = 0;
  private stallTimer: ReturnType<typeof setInterval> | undefined;
  /** Notices a live connection gone silent without closing: `state` then says "reconnecting". */
  private readonly liveness = new LivenessWatch({
    streaming: () => this.streamingAnswer() !== undefined,
    probe: () => this.probe(),
    changed: () => this.notify(),
  });

  constructor(protected readonly options: RoomSyncOptions) {
    this.key = options.key;
    this.token = options.token;
    const socketOptions = { autoConnect: false, forceNew: true, ...options.socketOptions };
    this.socket = options.url ? io(options.url, socketOptions) : io(socketOptions);
    this.bindSocket();
  }

  /** The connection's state; a joined connection silent for too long (see liveness.ts) reads "reconnecting". */
  get state(): ConnectionState {
    return this.currentState === "live" && this.liveness.stale ? "reconnecting" : this.currentState;
  }

  /** Messages oldest first; a new array after every change, the same one otherwise. */
  get messages(): Message[] {
    return this.log.list();
  }

  get roomId(): string {
    return this.options.roomId;
  }

  get name(): string {
    return this.options.name;
  }

  /** Opens the socket (again after close() or after giving up). A no-op while connected or reconnecting. */
  connect(): void {
    if (!this.closed && this.currentState !== "offline" && this.socket.active) return;
    this.closed = false;
    this.setState(this.stats.joins > 0 ? "reconnecting" : "connecting");
    this.watchForStalls();
    this.socket.connect();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.joinSeq++;
    this.timers.clear();
    clearInterval(this.stallTimer);
    this.stallTimer = undefined;
    this.liveness.stop();
    if (this.socket.connected) this.socket.emit("room:leave", { roomId: this.roomId }, () => undefined);
    this.socket.disconnect();
    this.setState("offline");
  }

  /**
   * Asks the model. `shared`: the room's answer to this prompt (ask-once): when the room has one,
   * it comes back with `shared: true` and nothing new is asked.
   */
  async send(text: string, options: { shared?: boolean } = {}): Promise<SendResult> {
    const payload = { roomId: this.roomId, text, ...(options.shared ? { shared: true } : {}) };
    const { messageId, replyId, shared } = await this.call("chat:send", payload);
    return { messageId, replyId, ...(shared ? { shared } : {}) };
  }

  async stop(messageId: string): Promise<void> {
    await this.call("chat:stop", { roomId: this.roomId, messageId });
  }

  /**
   * One page of the room's members on every node, in presence order: `members` above holds only
   * the first MAX_LISTED_MEMBERS. Pass a page's `next` as `after` for the one after it.
   */
  async fetchMembers(options: { after?: string; limit?: number } = {}): Promise<MembersResult> {
    const { ok: _ok, ...page } = await this.call("room:members", { roomId: this.roomId, ...options });
    return page;
  }

  /** Calls `listener` after changes (at most once per microtask). Returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    return this.changes.subscribe(listener);
  }

  getMessage(id: string): Message | undefined {
    return this.log.get(id);
  }

  // ---------- socket events ----------

  private bindSocket(): void {
    const socket = this.socket;
    socket.on("connect", () => void this.join());
    socket.on("disconnect", (reason) => this.onDisconnect(reason));
    socket.on("connect_error", () => this.onConnectError());
    socket.io.on("reconnect_failed", () => this.goOffline());
    // Every frame (an event, an ack, the server's ping) proves the connection alive.
    socket.io.on("packet", () => this.liveness.heard());
    socket.io.on("ping", () => this.liveness.heard());
    socket.on("chat:message", (message) => this.ifOurs(message.roomId, () => this.log.applyMessage(message)));
    socket.on("chat:delta", (delta) => this.ifOurs(delta.roomId, () => this.log.applyDelta(delta)));
    socket.on("chat:end", (end) => this.ifOurs(end.roomId, () => this.log.applyEnd(end)));
    socket.on("chat:reasoning", (event) =>
      this.ifOurs(event.roomId, () => {
        this.log.applyReasoning(event);
        return [];
      }),
    );
    socket.on("room:presence", (presence) => this.onPresence(presence));
    // The server's link to the other nodes was interrupted: events may have been missed.
    socket.on("room:resync", (event) => {
      if (event.roomId === this.roomId) this.resync();
    });
    // The room is gone (expired, or its server lost it): nothing to rejoin.
    socket.on("room:closed", (event) => {
      if (event.roomId === this.roomId) this.giveUp(event.error);
    });
  }

  private ifOurs(roomId: string, apply: () => LogAction[]): void {
    if (roomId !== this.roomId || this.closed) return;
    this.lastEventAt = Date.now();
    this.run(apply());
  }

  /** Probes streaming answers that went quiet: their `chat:end` may have been lost. */
  private watchForStalls(): void {
    if (this.stallTimer !== undefined) return;
    this.stallTimer = setInterval(() => this.checkForStall(), STALL_CHECK_MS);
    (this.stallTimer as { unref?: () => void }).unref?.();
  }

  private checkForStall(): void {
    if (this.currentState !== "live" || Date.now() - this.lastEventAt < STALL_AFTER_MS) return;
    const open = this.log.list().filter((m) => m.status === "streaming" || m.status === "pending");
    if (open.length === 0) return;
    this.lastEventAt = Date.now();
    for (const message of open) this.run(this.log.probe(message.id));
  }

  private streamingAnswer(): Message | undefined {
    return this.log.list().findLast((message) => message.status === "streaming" && message.seq > 0);
  }

  /** A small request on the quiet connection: true when the server answered in time (whatever it answered). */
  private async probe(): Promise<boolean> {
    const answer = this.streamingAnswer();
    if (!answer || this.currentState !== "live") return true;
    const payload = { roomId: this.roomId, messageId: answer.id, afterSeq: answer.seq };
    try {
      await request(this.socket, "chat:resume", payload, PROBE_TIMEOUT_MS);
      return true;
    } catch (error) {
      return !toRequestError(error).clientSide;
    }
  }

  protected onPresence(presence: PresenceEvent): void {
    if (presence.roomId !== this.roomId) return;
    // Absent: a large room whose listed members did not change (keep the ones held).
    this.members = presence.members ?? this.members;
    this.memberCount = presence.count;
    this.notify();
  }

  protected onDisconnect(reason: string): void {
    this.liveness.stop();
    this.joinSeq++;
    this.joining = false;
    this.log.goOffline();
    this.timers.clear();
    this.resyncPending = false;
    this.resumeAttempts.clear();
    if (this.closed || reason === "io client disconnect") return this.goOffline();
    this.setState(this.stats.joins > 0 ? "reconnecting" : "connecting");
    // The server closed this socket on purpose (e.g. a slow viewer): socket.io will not retry by itself.
    if (reason === "io server disconnect")
      this.timers.after(backoffDelay(1, 1_000, 10_000), () => this.socket.connect());
  }

  private onConnectError(): void {
    // `active` is false when socket.io gave up (a refusal by a middleware); otherwise it retries.
    if (!this.socket.active) this.goOffline();
  }

  private goOffline(): void {
    this.timers.clear();
    this.setState("offline");
  }

  // ---------- join ----------

  private async join(): Promise<void> {
    const attempt = ++this.joinSeq;
    this.joining = true;
    this.log.beginJoin();
    try {
      const result = await request(this.socket, "room:join", this.joinPayload(), JOIN_TIMEOUT_MS);
      if (attempt === this.joinSeq && !this.closed) this.onJoined(result);
    } catch (error) {
      if (attempt === this.joinSeq && !this.closed) this.onJoinFailed(toRequestError(error));
    } finally {
      if (attempt === this.joinSeq) this.joining = false;
    }
  }

  /** What every join (first, reconnect, resync) sends: who, and the key, token and wished role if any. */
  protected joinPayload(): JoinPayload {
    const { role } = this.options;
    const payload: JoinPayload = { roomId: this.roomId, name: this.name };
    if (this.key) payload.key = this.key;
    if (this.token) payload.token = this.token;
    if (role) payload.role = role;
    return payload;
  }

  protected onJoined(result: JoinResult): void {
    this.stats.joins++;
    this.joinFailures = 0;
    this.room = result.room;
    this.self = result.self;
    this.members = result.members;
    this.memberCount = result.memberCount;
    this.lastError = undefined;
    this.lastEventAt = Date.now();
    this.liveness.start();
    this.setState("live");
    const actions = this.log.applySnapshot(result.messages);
    // Older history loaded before and continued by this snapshot stays; what lies before it is as it was.
    if (this.log.olderKept === 0) this.moreHistory = result.moreHistory;
    this.run(actions);
  }

  /** Stops for good, showing why (a refusal that retrying cannot fix). */
  private giveUp(error: ErrorPayload): void {
    this.lastError = error;
    this.closed = true;
    this.socket.disconnect();
    this.goOffline();
  }

  protected onJoinFailed(error: RequestError): void {
    if (PERMANENT_JOIN_ERRORS.includes(error.code)) return this.giveUp(error.payload);
    this.lastError = error.payload;
    this.joinFailures++;
    this.timers.after(backoffDelay(this.joinFailures, 500, 10_000), () => {
      if (this.socket.connected) void this.join();
    });
    this.notify();
  }

  /**
   * Joins again on the same socket for a fresh snapshot (when the delta log cannot fill a gap).
   * At most one is pending, and they are spaced by RESYNC_INTERVAL_MS.
   */
  private resync(): void {
    if (this.currentState !== "live" || this.joining || this.resyncPending) return;
    this.resyncPending = true;
    const wait = Math.max(0, this.lastResyncAt + RESYNC_INTERVAL_MS - Date.now());
    this.timers.after(wait, () => {
      this.resyncPending = false;
      this.lastResyncAt = Date.now();
      if (this.currentState === "live" && !this.joining) void this.join();
    });
  }

  // ---------- older history ----------

  /**
   * Fetches the page of history before the oldest message held and puts it in front; one request
   * at a time, none while there is nothing older, none for a while after a failure.
   */
  async loadOlder(): Promise<void> {
    const oldest = this.log.list()[0];
    if (
      !oldest ||
      !this.moreHistory ||
      this.loadingOlder ||
      this.currentState !== "live" ||
      Date.now() < this.olderRetryAt
    )
      return;
    const join = this.joinSeq;
    this.loadingOlder = true;
    this.notify();
    try {
      const page = await this.call("room:history", {
        roomId: this.roomId,
        before: oldest.id,
        limit: HISTORY_PAGE_SIZE,
      });
      if (join === this.joinSeq && this.log.prependOlder(oldest.id, page.messages)) this.moreHistory = page.more;
    } catch (error) {
      this.olderFailed(toRequestError(error));
    } finally {
      this.loadingOlder = false;
      this.notify();
    }
  }

  private olderFailed(error: RequestError): void {
    // The oldest message held was trimmed from the server's history: there is nothing before it to fetch.
    if (error.code === "not_found") this.moreHistory = false;
    this.olderRetryAt = Date.now() + Math.max(HISTORY_RETRY_MS, (error.payload.retryAfter ?? 0) * 1000);
  }

  // ---------- resume ----------

  private run(actions: LogAction[]): void {
    for (const action of actions) {
      if (action.type === "resume") void this.resume(action);
      else if (action.type === "resync") this.resync();
      else this.timers.after(END_GRACE_MS, () => this.resyncIfStillOpen(action.messageId));
    }
    this.notify();
  }

  private async resume(action: Extract<LogAction, { type: "resume" }>): Promise<void> {
    const { messageId, afterSeq, requestId } = action;
    const payload = { roomId: this.roomId, messageId, afterSeq };
    try {
      const result = await request(this.socket, "chat:resume", payload, RESUME_TIMEOUT_MS);
      this.resumeAttempts.delete(messageId);
      this.run(this.log.applyResume(requestId, messageId, result));
    } catch {
      // Failure is handled by retrying (below) or by the next join's snapshot, never by throwing.
      if (this.log.resumeFailed(requestId, messageId)) this.retryResume(messageId);
    }
  }

  private retryResume(messageId: string): void {
    if (this.currentState !== "live" || this.closed) return; // the next join's snapshot covers it
    const attempts = (this.resumeAttempts.get(messageId) ?? 0) + 1;
    this.resumeAttempts.set(messageId, attempts);
    if (attempts > RESUME_MAX_ATTEMPTS) {
      this.resumeAttempts.delete(messageId);
      return this.resync();
    }
    this.timers.after(backoffDelay(attempts, 250, 4_000), () => this.run(this.log.retry(messageId)));
  }

  private resyncIfStillOpen(messageId: string): void {
    const message = this.log.get(messageId);
    if (message && (message.status === "streaming" || message.status === "pending")) this.resync();
  }

  // ---------- plumbing ----------

  /** A request while live (else `not_in_room`), with the usual timeout. */
  protected call<E extends EventName>(event: E, payload: PayloadOf<E>): Promise<ResultOf<E>> {
    this.requireLive();
    return request(this.socket, event, payload, REQUEST_TIMEOUT_MS);
  }

  protected requireLive(): void {
    if (this.currentState === "live") return;
    const message = "Not connected to the room right now; wait for the connection to come back.";
    throw new RequestError({ code: "not_in_room", message }, true);
  }

  protected setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.notify();
  }

  protected notify(): void {
    this.changes.notify();
  }

  /** Each change of the log, as it happens (RoomClient turns them into events); nothing here. */
  protected onLogChange(_change: LogChange): void {
    // The web client reads the whole list after `subscribe` notifications instead.
  }
}
