/**
 * A scripted in-process Socket.IO server speaking the wire contract, for RoomConnection tests.
 * It keeps one delta log per message and lets a test lose a delta on purpose for one socket;
 * it decides roles from keys, enforces the room's permissions, relays typing, keeps a question
 * queue and regenerates answers like the real server. Test-only: nothing in the app imports it.
 */
import { createServer } from "node:http";
import type { RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import type { Socket } from "socket.io";
import type {
  Ack,
  ClientToServerEvents,
  Delta,
  EndEvent,
  EmptyResult,
  ErrorPayload,
  HistoryPayload,
  HistoryResult,
  JoinPayload,
  JoinResult,
  MembersPayload,
  MembersResult,
  Message,
  PermissionLevel,
  ResumePayload,
  ResumeResult,
  RoomInfo,
  RoomSettings,
  ServerToClientEvents,
  SettingsPatch,
} from "@tokencast/protocol";
import { allows, DEFAULT_MEMBER_PAGE, defaultSettings, isFinalStatus } from "@tokencast/protocol";
import { FakeMembers } from "./fake-room-members.ts";
import type { FakeMember, RoomKeysConfig } from "./fake-room-members.ts";
import { FakeQueue } from "./fake-room-queue.ts";

type ServerSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const OK_EMPTY: Ack<EmptyResult> = { ok: true };
const FORBIDDEN: ErrorPayload = { code: "forbidden", message: "You may not do that in this room." };

type Refusal = { ok: false; error: ErrorPayload };

export class FakeRoomServer {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  readonly messages = new Map<string, Message>();
  readonly logs = new Map<string, Delta[]>();
  readonly resumeRequests: ResumePayload[] = [];
  /** Answers the next join / resume requests with these errors, in order. */
  readonly joinFailures: ErrorPayload[] = [];
  readonly resumeFailures: ErrorPayload[] = [];
  joins = 0;
  url = "";
  /** The room's settings; tests may replace them before joins (e.g. a presentation). */
  settings: RoomSettings;
  owned = false;
  /** Keys that give the owner / presenter role. */
  keys: RoomKeysConfig = {};
  /** A join carries at most this many of the newest messages (the real server's byte budget, by count). */
  joinPageSize = Number.POSITIVE_INFINITY;
  /** Every `room:history` received. */
  readonly historyRequests: HistoryPayload[] = [];
  /** Every `room:members` received. */
  readonly membersRequests: MembersPayload[] = [];
  /** `chat:send` answers `busy` unless this is true (then it creates a question and an answer). */
  acceptSends = false;
  readonly members = new FakeMembers();
  readonly queue: FakeQueue;
  readonly joinPayloads: JoinPayload[] = [];
  /** Every `room:typing` received, refused ones too. */
  readonly typingRequests: Array<{ socketId: string; typing: boolean }> = [];
  private readonly http: ReturnType<typeof createServer>;
  private nextMessageId = 1;

  /** `handler` serves plain HTTP requests on the same port (e.g. the built app, for a preview). */
  constructor(
    readonly roomId = "test-room",
    handler?: RequestListener,
  ) {
    this.settings = defaultSettings("chat", roomId);
    this.queue = new FakeQueue(roomId);
    this.http = handler ? createServer(handler) : createServer();
    this.io = new Server(this.http);
    this.io.on("connection", (socket) => this.bind(socket));
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.io.close();
  }

  addMessage(message: Message): void {
    this.messages.set(message.id, message);
    this.logs.set(message.id, []);
    this.io.to(this.roomId).emit("chat:message", message);
  }

  /** Appends the next delta to the log and broadcasts it, except to `loseFor` (a socket id). */
  delta(messageId: string, text: string, loseFor?: string): void {
    const message = this.require(messageId);
    const seq = message.seq + 1;
    this.messages.set(messageId, { ...message, text: message.text + text, seq });
    this.logs.get(messageId)?.push({ seq, text });
    const target = loseFor ? this.io.to(this.roomId).except(loseFor) : this.io.to(this.roomId);
    target.emit("chat:delta", { roomId: this.roomId, messageId, seq, text });
  }

  end(messageId: string, patch: Partial<EndEvent> = {}): void {
    const message = this.require(messageId);
    const end: EndEvent = { roomId: this.roomId, messageId, seq: message.seq, status: "done", ...patch };
    this.messages.set(messageId, {
      ...message,
      status: end.status,
      ...(end.stoppedBy ? { stoppedBy: end.stoppedBy } : {}),
    });
    this.io.to(this.roomId).emit("chat:end", end);
  }

  socketIds(): string[] {
    return [...this.io.sockets.sockets.keys()];
  }

  /** Changes settings as the owner would, and tells the room. */
  update(patch: SettingsPatch, by = "owner"): RoomInfo {
    const next: Record<string, unknown> = { ...this.settings, ...patch };
    for (const [field, value] of Object.entries(patch)) if (value === null) delete next[field];
    this.settings = next as unknown as RoomSettings;
    const room = this.roomInfo();
    this.io.to(this.roomId).emit("room:updated", { roomId: this.roomId, room, by });
    return room;
  }

  /** The member behind a socket may do what `level` allows, else the refusal to answer. */
  private guard(socket: ServerSocket, level: PermissionLevel): FakeMember | Refusal {
    const member = this.members.get(socket.id);
    if (!member) return { ok: false, error: { code: "not_in_room", message: "Join first." } };
    return allows(level, member.role) ? member : { ok: false, error: FORBIDDEN };
  }

  private newMessage(role: Message["role"], patch: Partial<Message>): Message {
    const id = `m${this.nextMessageId++}`;
    const base = { id, roomId: this.roomId, role, author: role === "assistant" ? "fake" : "?", text: "", seq: 0 };
    const message: Message = {
      ...base,
      status: role === "user" ? "done" : "streaming",
      createdAt: Date.now(),
      ...patch,
    };
    this.addMessage(message);
    return message;
  }

  private broadcastQueue(): void {
    this.io.to(this.roomId).emit("queue:changed", this.queue.event());
  }

  private bind(socket: ServerSocket): void {
    socket.on("room:join", (payload, ack) => void this.join(socket, payload).then(ack));
    socket.on("room:leave", (_payload, ack) => ack(OK_EMPTY));
    socket.on("disconnect", () => {
      if (this.members.remove(socket.id))
        this.io.to(this.roomId).emit("room:presence", this.members.presence(this.roomId));
    });
    socket.on("chat:resume", (payload, ack) => ack(this.resume(payload)));
    socket.on("room:history", (payload, ack) => ack(this.history(socket, payload)));
    socket.on("room:members", (payload, ack) => ack(this.memberPage(socket, payload)));
    socket.on("chat:send", (payload, ack) => ack(this.send(socket, payload.text)));
    socket.on("chat:stop", (_payload, ack) => {
      const member = this.guard(socket, this.settings.whoMayStop);
      ack("ok" in member ? member : OK_EMPTY);
    });
    socket.on("chat:regenerate", (payload, ack) => ack(this.regenerate(socket, payload.messageId)));
    socket.on("room:update", (payload, ack) => {
      const member = this.guard(socket, "owner");
      ack("ok" in member ? member : { ok: true, room: this.update(payload.settings, member.name) });
    });
    socket.on("room:typing", (payload, ack) => ack(this.typing(socket, payload.typing)));
    this.bindQueue(socket);
  }

  private bindQueue(socket: ServerSocket): void {
    socket.on("queue:submit", (payload, ack) => {
      const member = this.members.get(socket.id);
      if (!member || this.settings.mode !== "presentation") return ack({ ok: false, error: FORBIDDEN });
      const question = this.queue.submit(payload.text, member.name);
      this.broadcastQueue();
      ack({ ok: true, questionId: question.id });
    });
    socket.on("queue:vote", (payload, ack) => {
      const member = this.members.get(socket.id);
      const votes = member && this.queue.vote(payload.questionId, member.voter);
      if (votes === undefined) return ack({ ok: false, error: { code: "not_found", message: "No such question." } });
      this.broadcastQueue();
      ack({ ok: true, votes });
    });
    socket.on("queue:send", (payload, ack) => ack(this.sendQuestion(socket, payload.questionId)));
    socket.on("queue:dismiss", (payload, ack) => {
      const member = this.guard(socket, this.settings.whoMayPrompt);
      if ("ok" in member) return ack(member);
      if (!this.queue.take(payload.questionId))
        return ack({ ok: false, error: { code: "not_found", message: "No such question." } });
      this.broadcastQueue();
      ack(OK_EMPTY);
    });
  }

  private async join(socket: ServerSocket, payload: JoinPayload): Promise<Ack<JoinResult>> {
    this.joinPayloads.push(payload);
    const failure = this.joinFailures.shift();
    if (failure) return { ok: false, error: failure };
    const role = this.members.roleFor(payload, this.keys, this.settings);
    if (typeof role !== "string") return { ok: false, error: role };
    await socket.join(payload.roomId);
    this.joins++;
    const self = this.members.add(socket.id, payload, role);
    const presence = this.members.presence(this.roomId);
    socket.to(this.roomId).emit("room:presence", presence);
    const { voter, ...member } = self;
    const queue = this.queue.event();
    const { messages, more: moreHistory } = this.page([...this.messages.values()], this.joinPageSize);
    return {
      ok: true,
      ...{ room: this.roomInfo(), self: member, members: presence.members, memberCount: presence.count },
      ...{
        roleCounts: presence.roleCounts,
        messages,
        moreHistory,
        queue: queue.upserts,
        queueCount: queue.count,
        queueVersion: queue.version,
        voter,
      },
    };
  }

  /** Pages like the real server, by count only: oldest first, ending just before `before`. */
  private history(socket: ServerSocket, payload: HistoryPayload): Ack<HistoryResult> {
    this.historyRequests.push(payload);
    if (!this.members.get(socket.id)) return { ok: false, error: { code: "not_in_room", message: "Join first." } };
    const all = [...this.messages.values()];
    const index = all.findIndex((m) => m.id === payload.before);
    if (index < 0) return { ok: false, error: { code: "not_found", message: "No such message." } };
    return { ok: true, ...this.page(all.slice(0, index), payload.limit) };
  }

  private memberPage(socket: ServerSocket, payload: MembersPayload): Ack<MembersResult> {
    this.membersRequests.push(payload);
    if (!this.members.get(socket.id)) return { ok: false, error: { code: "not_in_room", message: "Join first." } };
    const page = this.members.page(payload.after, payload.limit ?? DEFAULT_MEMBER_PAGE);
    return "members" in page ? { ok: true, ...page } : { ok: false, error: page };
  }

  private page(messages: Message[], size: number): HistoryResult {
    const start = Math.max(0, messages.length - size);
    return { messages: messages.slice(start), more: start > 0 };
  }

  private send(socket: ServerSocket, text: string): Ack<{ messageId: string; replyId: string }> {
    const member = this.guard(socket, this.settings.whoMayPrompt);
    if ("ok" in member) return member;
    if (!this.acceptSends) return { ok: false, error: { code: "busy", message: "busy" } };
    const question = this.newMessage("user", { author: member.name, text });
    const reply = this.newMessage("assistant", { replyTo: question.id });
    return { ok: true, messageId: question.id, replyId: reply.id };
  }

  private regenerate(socket: ServerSocket, messageId: string): Ack<{ replyId: string }> {
    const member = this.guard(socket, this.settings.whoMayPrompt);
    if ("ok" in member) return member;
    const old = this.messages.get(messageId);
    if (old?.role !== "assistant" || !isFinalStatus(old.status)) {
      return { ok: false, error: { code: "not_found", message: "No ended answer with that id." } };
    }
    const reply = this.newMessage("assistant", {
      replyTo: old.replyTo,
      regenerates: old.id,
      regeneratedBy: member.name,
    });
    return { ok: true, replyId: reply.id };
  }

  private typing(socket: ServerSocket, typing: boolean): Ack<EmptyResult> {
    this.typingRequests.push({ socketId: socket.id, typing });
    const member = this.guard(socket, this.settings.whoMayPrompt);
    if ("ok" in member) return member;
    socket
      .to(this.roomId)
      .emit("room:typing", { roomId: this.roomId, member: { id: member.id, name: member.name }, typing });
    return OK_EMPTY;
  }

  private sendQuestion(socket: ServerSocket, questionId: string): Ack<{ messageId: string; replyId: string }> {
    const member = this.guard(socket, this.settings.whoMayPrompt);
    if ("ok" in member) return member;
    const asked = this.queue.take(questionId);
    if (!asked) return { ok: false, error: { code: "not_found", message: "No such question." } };
    this.broadcastQueue();
    const question = this.newMessage("user", { author: asked.author, text: asked.text, sentBy: member.name });
    const reply = this.newMessage("assistant", { replyTo: question.id });
    return { ok: true, messageId: question.id, replyId: reply.id };
  }

  private resume(payload: ResumePayload): Ack<ResumeResult> {
    this.resumeRequests.push(payload);
    const failure = this.resumeFailures.shift();
    if (failure) return { ok: false, error: failure };
    const deltas = (this.logs.get(payload.messageId) ?? []).filter((d) => d.seq > payload.afterSeq);
    return { ok: true, deltas, status: this.require(payload.messageId).status };
  }

  private roomInfo(): RoomInfo {
    const settings = { ...this.settings };
    const limits = { maxTextLength: 100, maxNameLength: 40 };
    return { id: this.roomId, settings, owned: this.owned, model: settings.model ?? "fake", demo: true, limits };
  }

  private require(messageId: string): Message {
    const message = this.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    return message;
  }
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
