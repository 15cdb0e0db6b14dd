import type {
  HistoryPayload,
  HistoryResult,
  JoinCodeResult,
  JoinPayload,
  JoinResult,
  MembersRequest,
  MembersResult,
  Message,
  QuestionPayload,
  QueueEditPayload,
  QueueSubmitPayload,
  RegeneratePayload,
  ReplayPayload,
  ResumePayload,
  ResumeResult,
  Role,
  RoomInfo,
  SendPayload,
  SendResult,
  SubmitResult,
  StopPayload,
  TypingPayload,
  UpdateRoomPayload,
} from "@tokencast/protocol";
import type { Credentials } from "./invitations.ts";
import type { Admission } from "./membership.ts";
import { memberPage } from "./member-pages.ts";
import type { CreatedRoom, RoomCatalog } from "./room-catalog.ts";
import { roomParts, upkeepTasksOf, type RoomParts } from "./room-parts.ts";
import type { RoomServiceDeps } from "./room-service-deps.ts";
import type { MintRequest } from "./tokens.ts";
import type { UpkeepTask } from "./upkeep.ts";

export type { Credentials } from "./invitations.ts";
export type { Admission } from "./membership.ts";
export type { RoomServiceDeps } from "./room-service-deps.ts";

/**
 * The room rules, free of transport: who is in a room with which role, what each role may do,
 * and one answer streaming at a time per room (a second question meanwhile gets `busy`). A facade:
 * each rule lives in one part (membership, invitations, asking, the question queue, room admin,
 * room lifetime); the node's timers run the `upkeepTasks` it names.
 */
export class RoomService {
  private readonly parts: RoomParts;

  constructor(private readonly deps: RoomServiceDeps) {
    this.parts = roomParts(deps);
  }

  createRoom(input: Parameters<RoomCatalog["create"]>[0]): Promise<CreatedRoom> {
    return this.parts.admin.create(input);
  }

  /**
   * The role credentials (a token, or a room key) give in a room; undefined without any. Throws
   * `forbidden` / `token_expired` for bad ones. For HTTP reads of private rooms and for minting.
   */
  credentialRole(roomId: string, credentials: Credentials): Promise<Role | undefined> {
    return this.parts.invitations.credentialRole(roomId, credentials);
  }

  /** A token for `request.roomId`, signed for who `credentials` say may mint it. */
  mintToken(credentials: Credentials, request: MintRequest): Promise<{ token: string; expiresAt: number }> {
    return this.parts.invitations.mint(credentials, request);
  }

  /** Withdraws every token minted for the room so far (owner only); how many connections were dropped. */
  revokeTokens(credentials: Credentials, roomId: string): Promise<{ dropped: number }> {
    return this.parts.invitations.revoke(credentials, roomId);
  }

  /** Closes rooms of this node whose record is missing (e.g. Redis came back empty), on every node. */
  closeGoneRooms(): Promise<void> {
    return this.parts.lifetime.closeGoneRooms();
  }

  /** A connection arrived (before any event): where from. */
  connect(connectionId: string, ip: string): void {
    this.parts.membership.connect(connectionId, ip);
  }

  /** Who this join admits, or throws: call before the connection enters the room's broadcast channel. */
  admit(payload: JoinPayload): Promise<Admission> {
    return this.parts.membership.admit(payload);
  }

  /** Call after the connection has joined the room's broadcast channel, so no delta falls between. */
  join(connectionId: string, payload: JoinPayload, admission: Admission): Promise<JoinResult> {
    return this.parts.membership.join(connectionId, payload, admission);
  }

  /** A member's page of older history: at most `limit` messages within the byte budget, ending just before `before`. */
  history(connectionId: string, payload: HistoryPayload): Promise<HistoryResult> {
    this.parts.membership.requireMember(connectionId, payload.roomId);
    return this.parts.history.before(payload);
  }

  /** A member's page of the room's members on every node, after the cursor `after` (see memberPage). */
  members(connectionId: string, payload: MembersRequest): Promise<MembersResult> {
    this.parts.membership.requireMember(connectionId, payload.roomId);
    return memberPage(this.deps.directory, payload);
  }

  leave(connectionId: string, roomId: string): void {
    this.parts.membership.leave(connectionId, roomId);
  }

  /** A connection went away: it leaves its rooms. Its answers keep streaming for everyone else. */
  disconnect(connectionId: string): void {
    this.parts.membership.disconnect(connectionId);
  }

  send(connectionId: string, payload: SendPayload): Promise<SendResult> {
    return this.parts.asking.send(connectionId, payload);
  }

  /** Stops the answer here if this node runs it, else asks the node that does. */
  stop(connectionId: string, payload: StopPayload): Promise<void> {
    return this.parts.asking.stop(connectionId, payload);
  }

  resume(connectionId: string, payload: ResumePayload): Promise<ResumeResult> {
    return this.parts.asking.resume(connectionId, payload);
  }

  /** A new answer to the question an ended answer replied to; the old one stays in the history. */
  regenerate(connectionId: string, payload: RegeneratePayload): Promise<{ replyId: string }> {
    return this.parts.asking.regenerate(connectionId, payload);
  }

  /** The owner or a presenter replays a finished answer for everyone in the room (rate-limited per room). */
  replay(connectionId: string, payload: ReplayPayload): Promise<void> {
    return this.parts.replays.start(connectionId, payload);
  }

  updateSettings(connectionId: string, payload: UpdateRoomPayload): Promise<{ room: RoomInfo }> {
    return this.parts.admin.updateSettings(connectionId, payload);
  }

  /** Tells the room someone is typing a question (members who may ask; rate-limited). */
  typing(connectionId: string, payload: TypingPayload): Promise<void> {
    return this.parts.typing.signal(this.parts.membership.requireMember(connectionId, payload.roomId), payload);
  }

  submitQuestion(connectionId: string, payload: QueueSubmitPayload): Promise<SubmitResult> {
    return this.parts.queueActions.submit(connectionId, payload);
  }

  vote(connectionId: string, payload: QuestionPayload): Promise<{ votes: number }> {
    return this.parts.queueActions.vote(connectionId, payload);
  }

  unvote(connectionId: string, payload: QuestionPayload): Promise<{ votes: number }> {
    return this.parts.queueActions.unvote(connectionId, payload);
  }

  /** Owner and presenters: a question waiting for approval joins the queue. */
  approveQuestion(connectionId: string, payload: QuestionPayload): Promise<void> {
    return this.parts.queueActions.approve(connectionId, payload);
  }

  /** Whoever may prompt: an answered question goes back into the queue. */
  restoreQuestion(connectionId: string, payload: QuestionPayload): Promise<void> {
    return this.parts.queueActions.restore(connectionId, payload);
  }

  /** The asker's new wording of their queued question. */
  editQuestion(connectionId: string, payload: QueueEditPayload): Promise<void> {
    return this.parts.queueActions.edit(connectionId, payload);
  }

  /** The asker takes their question out of the queue. */
  withdrawQuestion(connectionId: string, payload: QuestionPayload): Promise<void> {
    return this.parts.queueActions.withdraw(connectionId, payload);
  }

  /** The connection's voter id (votes and asked questions go by it). */
  voterOf(connectionId: string): string {
    return this.parts.membership.voterOf(connectionId);
  }

  /** A presenter asks the model a queued question: `author` is who asked it, `sentBy` the presenter. */
  sendQuestion(connectionId: string, payload: QuestionPayload): Promise<SendResult> {
    return this.parts.queueActions.send(connectionId, payload);
  }

  dismissQuestion(connectionId: string, payload: QuestionPayload): Promise<void> {
    return this.parts.queueActions.dismiss(connectionId, payload);
  }

  /** The room's join code, for its owner or a presenter (public created rooms only). */
  joinCode(connectionId: string, roomId: string): Promise<{ code: string }> {
    return this.parts.joinCodes.codeFor(connectionId, roomId);
  }

  /** The public room a join code names (`not_found` otherwise). */
  roomOfJoinCode(code: string): Promise<JoinCodeResult> {
    return this.parts.joinCodes.roomOf(code);
  }

  /** The room as the HTTP API shows it; undefined when it was never created and has no history. */
  describe(roomId: string): Promise<{ room: RoomInfo; messages: Message[] } | undefined> {
    return this.parts.admin.describe(roomId);
  }

  memberCount(roomId: string): Promise<number> {
    return this.parts.admin.memberCount(roomId);
  }

  /** The chores this node runs on timers, by name (heartbeats, dead nodes' members, orphaned and abandoned answers). */
  upkeepTasks(): UpkeepTask[] {
    return upkeepTasksOf(this.parts, this.deps);
  }

  /** Lists this node's members in the shared directory now (the upkeep repeats it). */
  heartbeat(): Promise<void> {
    return this.parts.presence.heartbeat();
  }

  /** After the shared store came back (maybe empty): this node's members are listed again. */
  restoreMembers(): Promise<void> {
    return this.parts.presence.restore();
  }

  /** The rooms with members on this node. */
  localRooms(): string[] {
    return this.parts.presence.rooms();
  }

  /** Refuses new questions from now on (the node is shutting down). */
  stopTakingWork(): void {
    this.parts.starts.stopTakingWork();
  }

  /**
   * Lets answers in progress finish for up to `graceMs`, then ends the rest `interrupted`
   * (text kept); waits for members' removal from the shared list.
   */
  async drain(graceMs: number, reason: string): Promise<void> {
    this.stopTakingWork();
    await this.parts.answers.drain(graceMs, reason);
    this.parts.presence.dispose();
    this.parts.questions.dispose();
    await this.parts.presence.settle();
  }

  activeCount(): number {
    return this.parts.answers.count();
  }

  roomCount(): number {
    return this.parts.presence.roomCount();
  }
}
