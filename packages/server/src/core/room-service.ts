import { randomUUID } from "node:crypto";
import type {
  HistoryPayload,
  HistoryResult,
  JoinPayload,
  JoinResult,
  Member,
  Message,
  QuestionPayload,
  QueueSubmitPayload,
  RegeneratePayload,
  ResumePayload,
  ResumeResult,
  Role,
  RoomInfo,
  SendPayload,
  SendResult,
  StopPayload,
  TypingPayload,
  UpdateRoomPayload,
} from "@tokencast/protocol";
import { isFinalStatus } from "@tokencast/protocol";
import { AbandonedAnswers } from "./abandoned-answers.ts";
import { admittedRole, requireAllowed, requireMayMint, requireOwner, roleFor } from "./access.ts";
import { Answers } from "./answers.ts";
import { AppError } from "./errors.ts";
import { JoinLimits } from "./join-limits.ts";
import type { HistoryBudget } from "./history-page.ts";
import { noMetrics } from "./no-metrics.ts";
import type {
  ActionBudget,
  AnswerLocks,
  AnswerSource,
  Broadcaster,
  ChatTurn,
  Cluster,
  Logger,
  MemberAccess,
  MemberDirectory,
  Metrics,
  QuestionQueue,
  RoomRecords,
  RoomStore,
  UpstreamSlots,
} from "./ports.ts";
import { Presence } from "./presence.ts";
import { Questions } from "./questions.ts";
import type { Payer, TokenQuotas } from "./quotas.ts";
import { RoomCatalog, modelOf, type CreatedRoom, type RoomView } from "./room-catalog.ts";
import { RoomTokens, generationOf, type MintRequest, type TokenClaims } from "./tokens.ts";
import { TypingGate } from "./typing-gate.ts";
import { ConnectionVoters, processVoterSecret, VoterIds } from "./voter-ids.ts";

export interface RoomServiceDeps {
  store: RoomStore;
  records: RoomRecords;
  queue: QuestionQueue;
  /** Token quotas per room and per person; absent: none. */
  quotas?: TokenQuotas;
  /** The LLM's capacity: answers beyond it wait in a fair line (LLM_MAX_CONCURRENT). */
  slots: UpstreamSlots;
  locks: AnswerLocks;
  directory: MemberDirectory;
  source: AnswerSource;
  broadcaster: Broadcaster;
  logger: Logger;
  /** Turns the room's history (oldest first, ending with the question) into what goes upstream. */
  buildTurns: (history: Message[], systemPrompt: string | undefined) => ChatTurn[];
  limits: {
    maxTextLength: number;
    coalesceMs: number;
    coalesceMaxChars: number;
    /** Joins beyond these are refused: `room_full` (all nodes) and `server_full` (rooms on this node). */
    maxMembersPerRoom: number;
    maxRoomsPerNode: number;
    /** Rooms one connection may be in (`too_many_rooms`) and members of a room from one IP (`room_full`); 0: no cap. */
    maxRoomsPerConnection: number;
    maxMembersPerIpPerRoom: number;
    /** An answer of an ad-hoc room nobody is in any more stops after this long (0: never). */
    abandonedAnswerGraceMs: number;
  };
  /** Per client IP: ad-hoc rooms opened and answers started (`rate_limited`); absent: no budget. */
  budgets?: { adhocRooms?: ActionBudget; answers?: ActionBudget };
  /** What a join snapshot carries at most (JOIN_HISTORY_*); a `room:history` page, its bytes. */
  history: HistoryBudget;
  /** Other nodes, to reach the one running an answer; absent on a single node. */
  cluster?: Cluster;
  /** Signed room tokens (TOKEN_SECRET); absent: no tokens, no private rooms. */
  tokens?: RoomTokens;
  /** Where answers report for monitoring; none: nowhere. */
  metrics?: Metrics;
  /** Signs voter ids (one vote per voter); absent: with a secret of this process only. */
  voterIds?: VoterIds;
  now?: () => number;
}

/** What proves a role over HTTP: a signed room token or a room key. */
/** What `admit` found a join may be: the room as it was read, the member's name and role. */
export interface Admission {
  view: RoomView;
  name: string;
  role: Role;
}

export interface Credentials {
  token?: string | undefined;
  key?: string | undefined;
}

/** A member's typing signal is broadcast at most this often (clients refresh every 2 s). */
const TYPING_EVERY_MS = 1000;

/** What asking the model needs: the question's author and, from the queue, who sent it. */
interface Question {
  author: string;
  text: string;
  sentBy?: string;
}

/**
 * The room rules, free of transport: who is in a room with which role, what each role may do,
 * and one answer streaming at a time per room (a second question meanwhile gets `busy`).
 */
export class RoomService {
  readonly presence: Presence;
  readonly answers: Answers;
  readonly catalog: RoomCatalog;
  /** Stops answers nobody watches (run by the upkeep every `abandoned.everyMs`). */
  readonly abandoned: AbandonedAnswers;
  private readonly questions: Questions;
  private readonly joinLimits: JoinLimits;
  private readonly typingGate: TypingGate;
  /** Each connection's signed voter id (votes count once per voter). */
  private readonly voters: ConnectionVoters;
  /** Each connection's client IP: who pays for the answers it asks for. */
  private readonly ips = new Map<string, string>();
  private readonly now: () => number;
  private draining = false;
  private readonly tokens: RoomTokens;

  constructor(private readonly deps: RoomServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.tokens = deps.tokens ?? new RoomTokens(undefined);
    const { store, locks, source, broadcaster, logger, directory, limits, records, queue, slots } = deps;
    this.presence = new Presence({ directory, broadcaster, logger });
    const metrics = deps.metrics ?? noMetrics;
    this.answers = new Answers({ store, locks, source, broadcaster, logger, slots, metrics, ...limits });
    this.catalog = new RoomCatalog({ records, source, maxTextLength: limits.maxTextLength, now: this.now });
    this.questions = new Questions({ queue, broadcaster, logger, now: this.now });
    this.typingGate = new TypingGate(TYPING_EVERY_MS, this.now);
    this.joinLimits = new JoinLimits({ limits, presence: this.presence, directory, store, adhocRooms: deps.budgets?.adhocRooms });
    this.abandoned = new AbandonedAnswers({
      graceMs: limits.abandonedAnswerGraceMs,
      now: this.now,
      running: () => this.answers.answersRunning(),
      watched: (roomId) => this.watched(roomId),
      stop: (answer) => this.answers.stopUnwatched(answer),
    });
    this.voters = new ConnectionVoters(deps.voterIds ?? new VoterIds(processVoterSecret()));
    deps.cluster?.onStopRequest((request) => this.answers.stopLocal(request));
  }

  createRoom(input: Parameters<RoomCatalog["create"]>[0]): Promise<CreatedRoom> {
    if (input.private) this.requirePrivateRooms();
    return this.catalog.create(input);
  }

  /**
   * The role credentials (a token, or a room key) give in a room; undefined without any. Throws
   * `forbidden` / `token_expired` for bad ones. For HTTP reads of private rooms and for minting.
   */
  async credentialRole(roomId: string, credentials: Credentials): Promise<Role | undefined> {
    if (credentials.token !== undefined) return (await this.verifyToken(credentials.token, roomId)).role;
    if (credentials.key === undefined) return undefined;
    const view = await this.catalog.view(roomId);
    return roleFor(view.record, view.settings, { key: credentials.key });
  }

  /** A token for `request.roomId`, signed for who `credentials` say may mint it. */
  async mintToken(credentials: Credentials, request: MintRequest): Promise<{ token: string; expiresAt: number }> {
    const holder = await this.credentialRole(request.roomId, credentials);
    if (holder === undefined) throw new AppError("forbidden", "Creating tokens needs the owner's or presenter's key (X-Room-Key) or an owner token.");
    requireMayMint(holder, request.role);
    return this.tokens.mint(request, await this.deps.records.tokenGeneration(request.roomId));
  }

  /**
   * Withdraws every token minted for the room so far (owner only): joins with them are refused,
   * and connections that joined with one are dropped on every node. Returns how many were dropped.
   */
  async revokeTokens(credentials: Credentials, roomId: string): Promise<{ dropped: number }> {
    const holder = await this.credentialRole(roomId, credentials);
    if (holder !== "owner") throw new AppError("forbidden", "Only the room's owner may withdraw its invitations (X-Room-Key: the owner key, or an owner token).");
    const generation = await this.deps.records.revokeTokens(roomId);
    const dropped = await this.dropMembers(roomId, ({ token }) => token !== undefined && generationOf(token) < generation);
    this.deps.logger.info({ roomId, generation, dropped }, "room invitations withdrawn");
    return { dropped };
  }

  /**
   * Closes rooms of this node that are gone (created rooms whose record is missing, e.g. after
   * Redis came back empty): their members are told and dropped on every node.
   */
  async closeGoneRooms(): Promise<void> {
    for (const roomId of this.presence.rooms()) {
      // Each node closes its own members; Redis down again: the next action finds out.
      await this.catalog.view(roomId).catch((error: unknown) => this.closeIfGone(roomId, error, "local"));
    }
  }

  /** The room for an action of one of its members; a room found gone is closed for everyone. */
  private memberView(roomId: string): Promise<RoomView> {
    return this.ifRoomGone(roomId, this.catalog.view(roomId));
  }

  private async ifRoomGone<T>(roomId: string, reading: Promise<T>): Promise<T> {
    try {
      return await reading;
    } catch (error) {
      await this.closeIfGone(roomId, error, "cluster");
      throw error;
    }
  }

  /** A `not_found` room read: the room is gone, its members are told and dropped. */
  private async closeIfGone(roomId: string, error: unknown, scope: "cluster" | "local"): Promise<void> {
    if (!(error instanceof AppError) || error.code !== "not_found") return;
    this.deps.logger.info({ roomId }, "room is gone (its record is missing): closing it");
    await this.deps.broadcaster.closeRoom({ roomId, error: error.toPayload() }, scope).catch((failure: unknown) => {
      // Members a node could not reach are refused (not_found) at their next action or join.
      this.deps.logger.warn({ err: failure, roomId }, "could not reach every node to close a room");
    });
  }

  /** Disconnects the room's members `drop` picks, on every node; how many. */
  private dropMembers(roomId: string, drop: (access: MemberAccess) => boolean): Promise<number> {
    return this.deps.broadcaster.dropMembers(roomId, drop).catch((error: unknown) => {
      // A node that does not answer keeps them until they reconnect, when their join is refused.
      this.deps.logger.warn({ err: error, roomId }, "could not reach every node to drop members");
      return 0;
    });
  }

  /** A token's claims, refused when the room's owner has withdrawn its generation since. */
  private async verifyToken(token: string, roomId: string): Promise<TokenClaims> {
    const claims = await this.tokens.verify(token, roomId);
    if (claims.generation < (await this.deps.records.tokenGeneration(roomId))) {
      throw new AppError("forbidden", "This invitation was withdrawn by the room's owner. Ask for a new link.");
    }
    return claims;
  }

  private requirePrivateRooms(): void {
    if (!this.tokens.enabled) throw new AppError("forbidden", "This server issues no tokens (TOKEN_SECRET is not set), so it cannot hold private rooms.");
  }

  /** A connection arrived (before any event): where from. */
  connect(connectionId: string, ip: string): void {
    this.ips.set(connectionId, ip);
  }

  /**
   * Who this join admits, or throws (`forbidden`, `token_expired`): call before the connection
   * enters the room's broadcast channel, so a refused join never sees its events; then `join`.
   */
  async admit(payload: JoinPayload): Promise<Admission> {
    const view = await this.catalog.view(payload.roomId);
    const claims = await this.claimsOf(payload);
    return { view, name: claims?.name ?? payload.name, role: admittedRole(view.record, view.settings, payload, claims) };
  }

  /** Call after the connection has joined the room's broadcast channel, so no delta falls between. */
  async join(connectionId: string, payload: JoinPayload, { view, name, role }: Admission): Promise<JoinResult> {
    const self: Member = { id: connectionId, name, joinedAt: this.now(), role };
    const ip = this.ipOf(connectionId);
    const release = await this.joinLimits.check({ roomId: payload.roomId, connectionId, ip, role, created: view.record !== undefined });
    const { voter, page, queue, presence } = await this.enter(payload, self, ip).finally(release);
    if (view.record) await this.catalog.touch(payload.roomId);
    const room = this.catalog.info(payload.roomId, view);
    const { members, count: memberCount, roleCounts } = presence;
    const queueFields = { queue: queue.questions, queueCount: queue.count, queueVersion: queue.version };
    return { room, self, members, memberCount, roleCounts, messages: page.messages, moreHistory: page.more, ...queueFields, voter: voter.signed };
  }

  /** What the joiner sees, read before it is listed as a member (the join limits hold its slots meanwhile). */
  private async enter(payload: JoinPayload, self: Member, ip: string) {
    const voter = await this.voters.admit(self.id, payload.voter);
    const [page, queue] = await Promise.all([this.recentHistory(payload.roomId), this.questions.list(payload.roomId)]);
    return { voter, page, queue, presence: await this.presence.join(payload.roomId, self, ip) };
  }

  /** A member's page of older history: at most `limit` messages within the byte budget, ending just before `before`. */
  async history(connectionId: string, payload: HistoryPayload): Promise<HistoryResult> {
    this.requireMember(connectionId, payload.roomId);
    const request = { before: payload.before, maxMessages: payload.limit, maxBytes: this.deps.history.maxBytes };
    const page = await this.deps.store.pageMessages(payload.roomId, request);
    if (!page) throw new AppError("not_found", "No such message in this room's history (it may have been trimmed).");
    return page;
  }

  /** The join snapshot's messages: the newest within the budget, with any answer in progress whole. */
  private async recentHistory(roomId: string): Promise<HistoryResult> {
    return (await this.deps.store.pageMessages(roomId, this.deps.history)) ?? { messages: [], more: false };
  }

  private async claimsOf(payload: JoinPayload): Promise<TokenClaims | undefined> {
    return payload.token === undefined ? undefined : this.verifyToken(payload.token, payload.roomId);
  }

  leave(connectionId: string, roomId: string): void {
    this.stopTyping(connectionId, roomId);
    this.presence.leave(connectionId, roomId);
  }

  /** A connection went away: it leaves its rooms. Its answers keep streaming for everyone else. */
  disconnect(connectionId: string): void {
    for (const roomId of this.presence.roomsOf(connectionId)) this.stopTyping(connectionId, roomId);
    this.presence.disconnect(connectionId);
    this.voters.forget(connectionId);
    this.ips.delete(connectionId);
  }

  async send(connectionId: string, payload: SendPayload): Promise<SendResult> {
    const member = this.requireMember(connectionId, payload.roomId);
    const view = await this.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "ask the model");
    this.stopTyping(connectionId, payload.roomId);
    return this.ask(payload.roomId, view, { author: member.name, text: payload.text }, this.payer(connectionId, payload.roomId));
  }

  /** Stops the answer here if this node runs it, else asks the node that does. */
  async stop(connectionId: string, payload: StopPayload): Promise<void> {
    const member = this.requireMember(connectionId, payload.roomId);
    const view = await this.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayStop, member, "stop answers");
    const request = { roomId: payload.roomId, messageId: payload.messageId, by: member.name };
    if (this.answers.stopLocal(request)) return;
    if (await this.deps.cluster?.requestStop(request)) return;
    await this.explainNotStreaming(payload.roomId, payload.messageId);
  }

  async resume(connectionId: string, payload: ResumePayload): Promise<ResumeResult> {
    this.requireMember(connectionId, payload.roomId);
    this.deps.metrics?.resync("resume");
    const message = await this.deps.store.getMessage(payload.roomId, payload.messageId);
    if (!message) throw new AppError("not_found", "No such message in this room.");
    const deltas = await this.deps.store.readDeltas(payload.roomId, payload.messageId, payload.afterSeq);
    return { deltas, status: message.status };
  }

  /**
   * A new answer to the question an ended answer replied to, from the conversation up to that
   * question. The old answer stays in the history; the new one names it (`regenerates`).
   */
  async regenerate(connectionId: string, payload: RegeneratePayload): Promise<{ replyId: string }> {
    const member = this.requireMember(connectionId, payload.roomId);
    const view = await this.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "regenerate answers");
    const history = await this.deps.store.listMessages(payload.roomId);
    const old = history.find((m) => m.id === payload.messageId);
    if (old?.role !== "assistant" || !old.replyTo) throw new AppError("not_found", "No such answer in this room.");
    if (!isFinalStatus(old.status)) throw new AppError("busy", "That answer is still streaming; stop it first.");
    const questionIndex = history.findIndex((m) => m.id === old.replyTo);
    if (questionIndex < 0) throw new AppError("not_found", "The question of that answer is no longer in the history.");
    this.checkAdmission();
    const payer = this.payer(connectionId, payload.roomId);
    await this.deps.quotas?.check(payer);
    const answer = { ...this.newAnswer(payload.roomId, old.replyTo, view), regenerates: old.id, regeneratedBy: member.name };
    const turns = this.turns(history.slice(0, questionIndex + 1), view);
    await this.startAnswer(view, answer, [], async () => turns, payer);
    return { replyId: answer.id };
  }

  async updateSettings(connectionId: string, payload: UpdateRoomPayload): Promise<{ room: RoomInfo }> {
    const member = this.requireMember(connectionId, payload.roomId);
    requireOwner(member, "change the room's settings");
    if (payload.settings.private) this.requirePrivateRooms();
    const view = await this.ifRoomGone(payload.roomId, this.catalog.update(payload.roomId, payload.settings));
    const room = this.catalog.info(payload.roomId, view);
    this.deps.broadcaster.roomUpdated({ roomId: payload.roomId, room, by: member.name });
    // Made private: whoever came in by the share link alone (no token, no key) is out, on every node.
    if (payload.settings.private) await this.dropMembers(payload.roomId, ({ token, key }) => token === undefined && !key);
    return { room };
  }

  /** Tells the room someone is typing a question (members who may ask; rate-limited). */
  async typing(connectionId: string, payload: TypingPayload): Promise<void> {
    const member = this.requireMember(connectionId, payload.roomId);
    if (payload.typing) {
      const view = await this.memberView(payload.roomId);
      requireAllowed(view.settings.whoMayPrompt, member, "ask the model");
    }
    this.signalTyping(member, payload.roomId, payload.typing);
  }

  async submitQuestion(connectionId: string, payload: QueueSubmitPayload): Promise<{ questionId: string }> {
    const member = this.requireMember(connectionId, payload.roomId);
    const view = await this.memberView(payload.roomId);
    if (view.settings.mode !== "presentation") {
      throw new AppError("forbidden", "Only presentations have a question queue; in a chat room, ask the model directly.");
    }
    this.checkLength(payload.text);
    const question = await this.questions.submit(payload.roomId, member.name, payload.text);
    return { questionId: question.id };
  }

  async vote(connectionId: string, payload: QuestionPayload): Promise<{ votes: number }> {
    this.requireMember(connectionId, payload.roomId);
    const voter = this.voters.idOf(connectionId);
    return { votes: await this.questions.vote(payload.roomId, payload.questionId, voter) };
  }

  /** A presenter asks the model a queued question: `author` is who asked it, `sentBy` the presenter. */
  async sendQuestion(connectionId: string, payload: QuestionPayload): Promise<SendResult> {
    const member = this.requireMember(connectionId, payload.roomId);
    const view = await this.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "send queued questions to the model");
    this.checkAdmission();
    const queued = await this.questions.take(payload.roomId, payload.questionId);
    try {
      const payer = this.payer(connectionId, payload.roomId);
      return await this.ask(payload.roomId, view, { author: queued.author, text: queued.text, sentBy: member.name }, payer);
    } catch (error) {
      await this.questions.putBack(queued);
      throw error;
    }
  }

  async dismissQuestion(connectionId: string, payload: QuestionPayload): Promise<void> {
    const member = this.requireMember(connectionId, payload.roomId);
    const view = await this.memberView(payload.roomId);
    requireAllowed(view.settings.whoMayPrompt, member, "dismiss queued questions");
    await this.questions.take(payload.roomId, payload.questionId);
  }

  /** The room as the HTTP API shows it; undefined when it was never created and has no history. */
  async describe(roomId: string): Promise<{ room: RoomInfo; messages: Message[] } | undefined> {
    const view = await this.catalog.view(roomId);
    const messages = await this.deps.store.listMessages(roomId);
    if (!view.record && messages.length === 0) return undefined;
    return { room: this.catalog.info(roomId, view), messages };
  }

  async memberCount(roomId: string): Promise<number> {
    return (await this.deps.directory.list(roomId, 0)).count;
  }

  /** Refuses new questions from now on (the node is shutting down). */
  stopTakingWork(): void {
    this.draining = true;
  }

  /**
   * Lets answers in progress finish for up to `graceMs`, then ends the rest `interrupted`
   * (text kept); waits for members' removal from the shared list.
   */
  async drain(graceMs: number, reason: string): Promise<void> {
    this.stopTakingWork();
    await this.answers.drain(graceMs, reason);
    this.presence.dispose();
    this.questions.dispose();
    await this.presence.settle();
  }

  activeCount(): number {
    return this.answers.count();
  }

  roomCount(): number {
    return this.presence.roomCount();
  }

  private async ask(roomId: string, view: RoomView, question: Question, payer: Payer): Promise<SendResult> {
    this.checkLength(question.text);
    this.checkAdmission();
    await this.deps.quotas?.check(payer);
    const message: Message = {
      ...this.newMessage(roomId, "user", question.author, question.text),
      ...(question.sentBy ? { sentBy: question.sentBy } : {}),
    };
    const answer = this.newAnswer(roomId, message.id, view);
    await this.startAnswer(view, answer, [message], () => this.turnsFor(roomId, view), payer);
    return { messageId: message.id, replyId: answer.id };
  }

  /** Claims the room, publishes the new messages, and streams the answer (turns read after they are stored). */
  private async startAnswer(view: RoomView, answer: Message, before: Message[], turns: () => Promise<ChatTurn[]>, payer: Payer): Promise<void> {
    await this.answers.claim(answer.roomId, answer.id);
    try {
      await this.spendAnswer(payer);
      for (const message of [...before, answer]) await this.deps.store.addMessage(message);
      if (view.record) await this.catalog.touch(answer.roomId);
    } catch (error) {
      await this.answers.unclaim(answer.roomId, answer.id);
      throw error;
    }
    for (const message of [...before, answer]) this.deps.broadcaster.message(message);
    const quotas = this.deps.quotas;
    this.answers.start(answer, turns(), view.settings.model, quotas && ((tokens) => quotas.charge(payer, tokens)));
  }

  private payer(connectionId: string, roomId: string): Payer {
    return { roomId, user: this.ipOf(connectionId) };
  }

  /** The connection's client IP (its own id when it never said: each counts alone). */
  private ipOf(connectionId: string): string {
    return this.ips.get(connectionId) ?? connectionId;
  }

  /** An answer starts (after the room is claimed, so a `busy` room costs nothing): the asker's IP pays one. */
  private async spendAnswer(payer: Payer): Promise<void> {
    const waitMs = await this.deps.budgets?.answers?.spend(payer.user);
    if (waitMs === undefined) return;
    const retryAfter = Math.ceil(waitMs / 1000);
    throw new AppError("rate_limited", `Your address has started as many answers as it may for now; ask again in ${retryAfter} s.`, { retryAfter });
  }

  /** Someone is in the room on some node, or the room was created (its answers run for whoever comes back). */
  private async watched(roomId: string): Promise<boolean> {
    if ((await this.deps.directory.list(roomId, 0)).count > 0) return true;
    return (await this.deps.records.get(roomId)) !== undefined;
  }

  private signalTyping(member: Member, roomId: string, typing: boolean): void {
    if (!this.typingGate.pass(`${roomId} ${member.id}`, typing)) return;
    this.deps.broadcaster.typing({ roomId, member: { id: member.id, name: member.name }, typing });
  }

  private stopTyping(connectionId: string, roomId: string): void {
    const member = this.presence.get(roomId, connectionId);
    if (member) this.signalTyping(member, roomId, false);
  }

  private checkAdmission(): void {
    if (this.draining) throw new AppError("server_shutdown", "This server is restarting; ask again in a moment.");
  }

  private requireMember(connectionId: string, roomId: string): Member {
    const member = this.presence.get(roomId, connectionId);
    if (!member) throw new AppError("not_in_room", "Join the room first.");
    return member;
  }

  private checkLength(text: string): void {
    const max = this.deps.limits.maxTextLength;
    if (text.length > max) {
      throw new AppError("text_too_long", `Messages are limited to ${max} characters (this one has ${text.length}).`);
    }
  }

  private async explainNotStreaming(roomId: string, messageId: string): Promise<void> {
    const message = await this.deps.store.getMessage(roomId, messageId);
    if (!message) throw new AppError("not_found", "No such message in this room.");
    throw new AppError("not_streaming", `That answer is not streaming (it is ${message.status}).`);
  }

  private newMessage(roomId: string, role: Message["role"], author: string, text: string): Message {
    return { id: randomUUID(), roomId, role, author, text, seq: 0, status: "done", createdAt: this.now() };
  }

  private newAnswer(roomId: string, replyTo: string, view: RoomView): Message {
    const { demo } = this.deps.source;
    const model = modelOf(view.settings, this.deps.source);
    const answer = this.newMessage(roomId, "assistant", model, "");
    return { ...answer, status: "streaming", replyTo, model, ...(demo ? { demo } : {}) };
  }

  private async turnsFor(roomId: string, view: RoomView): Promise<ChatTurn[]> {
    const history = await this.deps.store.listMessages(roomId);
    return this.turns(history.filter((m) => m.status !== "streaming"), view);
  }

  /** The conversation upstream: answers replaced by a regenerated one are left out. */
  private turns(history: Message[], view: RoomView): ChatTurn[] {
    const replaced = new Set(history.flatMap((m) => (m.regenerates ? [m.regenerates] : [])));
    return this.deps.buildTurns(
      history.filter((m) => !replaced.has(m.id)),
      view.settings.systemPrompt,
    );
  }
}
