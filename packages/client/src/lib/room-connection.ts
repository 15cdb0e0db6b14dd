/**
 * The framework-free socket layer: one Socket.IO connection to one room, as a product. RoomSync
 * (the SDK's transport) joins on every (re)connect and keeps the messages exactly in sync; this adds what a
 * room is for people: the key and voter id on every join, roles and their counts, settings
 * (with a notice when they change), who is typing, the question queue and the room's requests.
 * Runs in the browser and in Node (no DOM imports).
 */
import type {
  JoinPayload,
  JoinResult,
  PresenceEvent,
  RoleCounts,
  RoomInfo,
  RoomUpdatedEvent,
  SendResult,
  SettingsPatch,
  SubmitResult,
} from "@tokencast/protocol";
import type { RoomConnectionOptions, RoomNotice } from "./connection-types.ts";
import type { RoomCredentials } from "./rooms-api.ts";
import { permissionsOf } from "./permissions.ts";
import type { Permissions } from "./permissions.ts";
import { PresentationQuestions } from "./presentation-questions.ts";
import { QuestionQueue } from "./question-queue.ts";
import { RoomSync } from "@tokencast/sdk";
import type { RequestError } from "@tokencast/sdk";
import { RoomTyping } from "./room-typing.ts";

export { RequestError } from "@tokencast/sdk";
export * from "./connection-types.ts";

const NO_ROLES: RoleCounts = { owner: 0, presenter: 0, participant: 0, viewer: 0 };

export class RoomConnection extends RoomSync {
  /** Everyone in the room by role. */
  roleCounts: RoleCounts = NO_ROLES;
  /** The server refused this connection's key (`forbidden`) and it was dropped: `connect()` joins without it. */
  keyRejected = false;
  /** A presentation's question queue, with this person's votes. */
  readonly queue: QuestionQueue;
  /** A presentation's answered questions, those waiting for approval (moderators) and this person's awaiting ones. */
  readonly lists: PresentationQuestions;

  declare protected readonly options: RoomConnectionOptions;
  private readonly typists: RoomTyping;
  private readonly noticeListeners = new Set<(notice: RoomNotice) => void>();
  private readonly replayListeners = new Set<(messageId: string) => void>();

  constructor(options: RoomConnectionOptions) {
    super(options);
    this.queue = new QuestionQueue(options.roomId, options.votes, options.asked);
    this.lists = new PresentationQuestions(options.roomId);
    const emit = (typing: boolean): void => this.emitTyping(typing);
    this.typists = new RoomTyping({ emit, changed: () => this.notify(), ttlMs: options.typingTtlMs });
    this.bindRoomEvents();
  }

  /** True while joins carry a key (owner or presenter). */
  get hasKey(): boolean {
    return this.key !== undefined;
  }

  /** The key and token joins carry now (a refused one is gone): what HTTP requests for this room send too. */
  get credentials(): RoomCredentials {
    return {
      ...(this.key !== undefined ? { key: this.key } : {}),
      ...(this.token !== undefined ? { token: this.token } : {}),
    };
  }

  /** Names of the others typing right now; the same array until it changes. */
  get typing(): string[] {
    return this.typists.names;
  }

  /** What this member may do, from the room's settings and their role. */
  get permissions(): Permissions {
    return permissionsOf(this.room?.settings, this.self?.role);
  }

  override close(): void {
    this.typists.reset();
    super.close();
  }

  override async send(text: string, options: { shared?: boolean } = {}): Promise<SendResult> {
    this.typists.stop();
    return super.send(text, options);
  }

  /** Owner and presenters: every member's client replays the finished answer `messageId` from now. */
  async replayForRoom(messageId: string): Promise<void> {
    await this.call("chat:replay", { roomId: this.roomId, messageId });
  }

  /** Calls `listener` with the answer id of each replay started for the room. Returns the unsubscribe function. */
  onReplay(listener: (messageId: string) => void): () => void {
    this.replayListeners.add(listener);
    return () => this.replayListeners.delete(listener);
  }

  /** A new answer to the question the ended answer `messageId` answered. Returns the new answer's id. */
  async regenerate(messageId: string): Promise<string> {
    return (await this.call("chat:regenerate", { roomId: this.roomId, messageId })).replyId;
  }

  /** Owner only: changes the given settings (only those). Everyone gets `room:updated`. */
  async updateSettings(settings: SettingsPatch): Promise<RoomInfo> {
    const { room } = await this.call("room:update", { roomId: this.roomId, settings });
    this.room = room;
    this.notify();
    return room;
  }

  /**
   * The draft is being edited (`true`) or was sent, cleared or left (`false`). Throttled; sent
   * only by members who may prompt (the server refuses the others); failures are ignored.
   */
  setTyping(typing: boolean): void {
    if (typing) this.typists.input();
    else this.typists.stop();
  }

  /**
   * Presentations: puts a question in the queue (`anonymous`: nobody sees who asked), or, when the
   * room approves questions first, in the line for approval (`pending`).
   */
  async submitQuestion(text: string, anonymous = false): Promise<SubmitResult> {
    const payload = { roomId: this.roomId, text, ...(anonymous ? { anonymous } : {}) };
    const result = await this.call("queue:submit", payload);
    this.queue.markAsked(result.questionId);
    if (result.pending) this.lists.submitted({ id: result.questionId, text });
    this.notify();
    return { questionId: result.questionId, ...(result.pending ? { pending: true } : {}) };
  }

  /** Owner and presenters: a question waiting for approval joins the queue. */
  async approveQuestion(questionId: string): Promise<void> {
    await this.call("queue:approve", { roomId: this.roomId, questionId });
  }

  /** Whoever may prompt: an answered question goes back into the queue. */
  async restoreQuestion(questionId: string): Promise<void> {
    await this.call("queue:restore", { roomId: this.roomId, questionId });
  }

  /** Takes this person's vote back: unmarked at once, marked again if the server refuses. */
  async unvote(questionId: string): Promise<void> {
    if (!this.queue.hasVoted(questionId)) return;
    this.requireLive();
    this.queue.unmarkVoted(questionId);
    this.notify();
    try {
      await this.call("queue:unvote", { roomId: this.roomId, questionId });
    } catch (error) {
      this.queue.markVoted(questionId);
      this.notify();
      throw error;
    }
  }

  /** The asker's new wording of their question, while it is queued. */
  async editQuestion(questionId: string, text: string): Promise<void> {
    await this.call("queue:edit", { roomId: this.roomId, questionId, text });
  }

  /** The asker takes their question out of the queue. */
  async withdrawQuestion(questionId: string): Promise<void> {
    await this.call("queue:withdraw", { roomId: this.roomId, questionId });
    this.lists.settled(questionId);
    this.notify();
  }

  /** Owner and presenters of a public created room: its join code (for the projector's join screen). */
  async joinCode(): Promise<string> {
    return (await this.call("room:join-code", { roomId: this.roomId })).code;
  }

  /** Votes for a queued question, once: marked at once, unmarked if the server refuses. */
  async vote(questionId: string): Promise<void> {
    if (this.queue.hasVoted(questionId)) return;
    this.requireLive();
    this.queue.markVoted(questionId);
    this.notify();
    try {
      await this.call("queue:vote", { roomId: this.roomId, questionId });
    } catch (error) {
      this.queue.unmarkVoted(questionId);
      this.notify();
      throw error;
    }
  }

  /** Whoever may prompt: asks the model a queued question (it leaves the queue). */
  async sendQuestion(questionId: string): Promise<SendResult> {
    const { messageId, replyId } = await this.call("queue:send", { roomId: this.roomId, questionId });
    return { messageId, replyId };
  }

  /** Whoever may prompt: drops a queued question. */
  async dismissQuestion(questionId: string): Promise<void> {
    await this.call("queue:dismiss", { roomId: this.roomId, questionId });
  }

  /** Calls `listener` with each one-off room event (e.g. a settings change). Returns the unsubscribe function. */
  onNotice(listener: (notice: RoomNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  // ---------- room events ----------

  private bindRoomEvents(): void {
    this.socket.on("room:updated", (event) => this.onRoomUpdated(event));
    this.socket.on("room:typing", (event) => {
      if (this.isOurs(event.roomId) && event.member.id !== this.self?.id) this.typists.receive(event);
    });
    this.socket.on("chat:replay", (event) => {
      if (!this.isOurs(event.roomId)) return;
      for (const listener of [...this.replayListeners]) listener(event.messageId);
    });
    this.socket.on("queue:changed", (event) => {
      if (!this.isOurs(event.roomId)) return;
      this.queue.apply(event);
      this.lists.queueChanged(event);
      this.notify();
    });
    for (const [name, list] of [
      ["queue:answered", this.lists.answered],
      ["queue:pending", this.lists.pending],
    ] as const) {
      this.socket.on(name, (event) => {
        if (!this.isOurs(event.roomId)) return;
        list.apply(event);
        this.notify();
      });
    }
    this.socket.on("queue:dismissed", (event) => {
      if (!this.isOurs(event.roomId)) return;
      this.lists.settled(event.questionId);
      this.notify();
      this.tell({ type: "question-dismissed", text: event.text });
    });
  }

  private isOurs(roomId: string): boolean {
    return roomId === this.roomId && !this.closed;
  }

  private onRoomUpdated(event: RoomUpdatedEvent): void {
    if (!this.isOurs(event.roomId)) return;
    this.room = event.room;
    this.notify();
    this.tell({ type: "settings-changed", by: event.by, room: event.room });
  }

  private tell(notice: RoomNotice): void {
    for (const listener of [...this.noticeListeners]) listener(notice);
  }

  protected override onPresence(presence: PresenceEvent): void {
    if (presence.roomId !== this.roomId) return;
    this.roleCounts = presence.roleCounts ?? this.roleCounts;
    // A listed self entry is the server's latest word on this member (e.g. its role).
    this.self = presence.members?.find((member) => member.id === this.self?.id) ?? this.self;
    super.onPresence(presence);
  }

  protected override onDisconnect(reason: string): void {
    this.typists.reset();
    super.onDisconnect(reason);
  }

  private emitTyping(typing: boolean): void {
    if (this.state !== "live" || !this.permissions.mayPrompt) return;
    this.call("room:typing", { roomId: this.roomId, typing }).catch(() => {
      // Typing is cosmetic and short-lived: a refused or lost signal needs no handling.
    });
  }

  // ---------- join ----------

  /** Every join (first, reconnect, resync) also carries the voter id, and starts the queue over. */
  protected override joinPayload(): JoinPayload {
    const payload = super.joinPayload();
    const voter = this.options.voter?.load();
    if (voter) payload.voter = voter;
    this.queue.joining();
    this.lists.joining();
    return payload;
  }

  protected override onJoined(result: JoinResult): void {
    this.roleCounts = result.roleCounts ?? NO_ROLES;
    this.queue.joined(result);
    this.lists.joined(result);
    this.keyRejected = false;
    if (result.voter) this.options.voter?.save(result.voter);
    super.onJoined(result);
  }

  /** A refused token (or else key) is dropped (and the caller told, to forget it); the join then stops as refused. */
  protected override onJoinFailed(error: RequestError): void {
    if ((error.code === "forbidden" || error.code === "token_expired") && this.token !== undefined) {
      this.token = undefined;
      this.options.onTokenRejected?.();
    } else if (error.code === "forbidden" && this.key !== undefined) {
      this.key = undefined;
      this.keyRejected = true;
      this.options.onKeyRejected?.();
    }
    super.onJoinFailed(error);
  }
}
