/**
 * The thin reactive wrapper: `$state` fields mirrored from a RoomConnection (via `subscribe`),
 * what follows from them (`$derived`, through pure helpers), and the room's actions. Components
 * get it through context, never a connection directly.
 */
import { getContext, setContext } from "svelte";
import { isFinalStatus, modelStateOf } from "@tokencast/protocol";
import type {
  ErrorPayload,
  Member,
  MembersResult,
  Message,
  QueuedQuestion,
  RoleCounts,
  RoomInfo,
  SendResult,
  SettingsPatch,
  SubmitResult,
} from "@tokencast/protocol";
import { answerLinks } from "./answer-links.ts";
import { AnswerReplays } from "./answer-replays.ts";
import { permissionsOf } from "./permissions.ts";
import type { AwaitingQuestion } from "./presentation-questions.ts";
import type { ConnectionState, RoomConnection, RoomNotice } from "./room-connection.ts";
import type { RoomCredentials } from "./rooms-api.ts";

const ROOM_CONTEXT = Symbol("tokencast.room");

export class RoomState {
  state = $state<ConnectionState>("connecting");
  room = $state.raw<RoomInfo | undefined>();
  self = $state.raw<Member | undefined>();
  members = $state.raw<Member[]>([]);
  memberCount = $state(0);
  roleCounts = $state.raw<RoleCounts>({ owner: 0, presenter: 0, participant: 0, viewer: 0 });
  messages = $state.raw<Message[]>([]);
  /** Older messages exist before `messages` (`loadOlder` fetches a page), and whether a page is on its way. */
  moreHistory = $state(false);
  loadingOlder = $state(false);
  lastError = $state.raw<ErrorPayload | undefined>();
  /** The key this tab held was refused (and forgotten); joining again goes without it. */
  keyRejected = $state(false);
  /** Names of the others typing right now. */
  typing = $state.raw<string[]>([]);
  /** A presentation's queue (most votes first), its total size and this person's votes. */
  questions = $state.raw<QueuedQuestion[]>([]);
  questionCount = $state(0);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- $state.raw: replaced whole, never mutated
  myVotes = $state.raw<ReadonlySet<string>>(new Set());
  /** The questions this person asked (they may edit or withdraw them while queued). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- $state.raw: replaced whole, never mutated
  myQuestions = $state.raw<ReadonlySet<string>>(new Set());
  /** A presentation's answered questions (everyone), and those waiting for approval (owner and presenters). */
  answered = $state.raw<QueuedQuestion[]>([]);
  answeredCount = $state(0);
  pending = $state.raw<QueuedQuestion[]>([]);
  pendingCount = $state(0);
  /** This person's own questions waiting for approval. */
  awaitingApproval = $state.raw<readonly AwaitingQuestion[]>([]);
  /** The answer streaming right now, if any (one at a time per room). */
  streaming = $derived(findStreaming(this.messages));
  /** What the model is doing: idle, queued, thinking or streaming. */
  modelState = $derived(modelStateOf(this.messages));
  /** What this member may do (prompt, stop, edit settings, ask the presenter). */
  permissions = $derived(permissionsOf(this.room?.settings, this.self?.role));
  /** Regenerated answers: old id → newer id. */
  links = $derived(answerLinks(this.messages));
  /** Answers being replayed here: answer id → the text shown so far. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- $state.raw: replaced whole, never mutated
  replaying = $state.raw<ReadonlyMap<string, string>>(new Map());
  readonly roomId: string;
  readonly name: string;

  private readonly unsubscribe: () => void;
  private readonly stopHearingReplays: () => void;
  private readonly replays = new AnswerReplays(() => (this.replaying = this.replays.shown));

  constructor(private readonly connection: RoomConnection) {
    this.roomId = connection.roomId;
    this.name = connection.name;
    this.unsubscribe = connection.subscribe(() => this.sync());
    this.stopHearingReplays = connection.onReplay((messageId) => this.replay(messageId));
    this.sync();
  }

  /** Replays a finished answer here, at its original pace (nothing for one still streaming or unknown). */
  replay(messageId: string): void {
    const answer = this.messages.find((m) => m.id === messageId);
    if (answer?.role === "assistant" && isFinalStatus(answer.status)) this.replays.start(answer);
  }

  /** "Show all": ends the replay of an answer, showing its whole text. */
  skipReplay(messageId: string): void {
    this.replays.skip(messageId);
  }

  /** Owner and presenters: replays a finished answer for everyone in the room (this view included). */
  replayForRoom(messageId: string): Promise<void> {
    return this.connection.replayForRoom(messageId);
  }

  /** What proves this member's role to the HTTP API (private rooms' transcripts). */
  get credentials(): RoomCredentials {
    return this.connection.credentials;
  }

  send(text: string): Promise<SendResult> {
    return this.connection.send(text);
  }

  /** Puts the page of history before the oldest message in front (nothing when there is none or one is loading). */
  loadOlder(): Promise<void> {
    return this.connection.loadOlder();
  }

  /** A page of everyone in the room (presence lists only the first ones); pass a page's `next` as `after`. */
  fetchMembers(options: { after?: string; limit?: number }): Promise<MembersResult> {
    return this.connection.fetchMembers(options);
  }

  stop(messageId: string): Promise<void> {
    return this.connection.stop(messageId);
  }

  regenerate(messageId: string): Promise<string> {
    return this.connection.regenerate(messageId);
  }

  updateSettings(patch: SettingsPatch): Promise<RoomInfo> {
    return this.connection.updateSettings(patch);
  }

  /** The draft changed (`true`) or was sent, cleared or left (`false`). */
  setTyping(typing: boolean): void {
    this.connection.setTyping(typing);
  }

  submitQuestion(text: string, anonymous = false): Promise<SubmitResult> {
    return this.connection.submitQuestion(text, anonymous);
  }

  approveQuestion(questionId: string): Promise<void> {
    return this.connection.approveQuestion(questionId);
  }

  restoreQuestion(questionId: string): Promise<void> {
    return this.connection.restoreQuestion(questionId);
  }

  vote(questionId: string): Promise<void> {
    return this.connection.vote(questionId);
  }

  unvote(questionId: string): Promise<void> {
    return this.connection.unvote(questionId);
  }

  editQuestion(questionId: string, text: string): Promise<void> {
    return this.connection.editQuestion(questionId, text);
  }

  withdrawQuestion(questionId: string): Promise<void> {
    return this.connection.withdrawQuestion(questionId);
  }

  /** The room's join code (owner and presenters of a public created room). */
  joinCode(): Promise<string> {
    return this.connection.joinCode();
  }

  sendQuestion(questionId: string): Promise<SendResult> {
    return this.connection.sendQuestion(questionId);
  }

  dismissQuestion(questionId: string): Promise<void> {
    return this.connection.dismissQuestion(questionId);
  }

  /** One-off events (a settings change, a dismissed question of yours) for a toast. Returns the unsubscriber. */
  onNotice(listener: (notice: RoomNotice) => void): () => void {
    return this.connection.onNotice(listener);
  }

  /**
   * Reconnects after the connection went offline (gave up, or the join was refused); a refused key is not sent again.
   */
  retry(): void {
    this.connection.connect();
  }

  /** Stops mirroring; the composition root closes the connection. */
  destroy(): void {
    this.unsubscribe();
    this.stopHearingReplays();
    this.replays.destroy();
  }

  private sync(): void {
    const c = this.connection;
    this.state = c.state;
    this.room = c.room;
    this.self = c.self;
    this.members = c.members;
    this.memberCount = c.memberCount;
    this.roleCounts = c.roleCounts;
    this.messages = c.messages;
    this.moreHistory = c.moreHistory;
    this.loadingOlder = c.loadingOlder;
    this.lastError = c.lastError;
    this.keyRejected = c.keyRejected;
    this.typing = c.typing;
    this.questions = c.queue.questions;
    this.questionCount = c.queue.count;
    this.myVotes = c.queue.myVotes;
    this.myQuestions = c.queue.myQuestions;
    this.answered = c.lists.answered.questions;
    this.answeredCount = c.lists.answered.count;
    this.pending = c.lists.pending.questions;
    this.pendingCount = c.lists.pending.count;
    this.awaitingApproval = c.lists.awaitingApproval;
  }
}

function findStreaming(messages: readonly Message[]): Message | undefined {
  return messages.findLast((m) => m.role === "assistant" && (m.status === "streaming" || m.status === "pending"));
}

export function setRoomContext(room: RoomState): RoomState {
  return setContext(ROOM_CONTEXT, room);
}

export function getRoomContext(): RoomState {
  const room = getContext<RoomState | undefined>(ROOM_CONTEXT);
  if (!room) throw new Error("getRoomContext() called outside a room (no setRoomContext above it)");
  return room;
}
