import { randomUUID } from "node:crypto";
import type {
  JoinPayload,
  JoinResult,
  Member,
  Message,
  ResumePayload,
  ResumeResult,
  RoomInfo,
  SendPayload,
  SendResult,
  StopPayload,
} from "@tokencast/protocol";
import { MAX_NAME_LENGTH, defaultSettings } from "@tokencast/protocol";
import { Answers } from "./answers.ts";
import { AppError } from "./errors.ts";
import type { AnswerLocks, AnswerSource, Broadcaster, ChatTurn, Cluster, Logger, MemberDirectory, RoomStore } from "./ports.ts";
import { Presence } from "./presence.ts";

export interface RoomServiceDeps {
  store: RoomStore;
  locks: AnswerLocks;
  directory: MemberDirectory;
  source: AnswerSource;
  broadcaster: Broadcaster;
  logger: Logger;
  /** Turns the room's history (oldest first, ending with the new question) into what goes upstream. */
  buildTurns: (history: Message[]) => ChatTurn[];
  limits: { maxTextLength: number; coalesceMs: number; coalesceMaxChars: number };
  /** Other nodes, to reach the one running an answer; absent on a single node. */
  cluster?: Cluster;
  now?: () => number;
}

/**
 * The room rules, free of transport: who is in a room, what they may do, and one answer
 * streaming at a time per room (a second `chat:send` meanwhile is rejected with `busy`).
 */
export class RoomService {
  readonly presence: Presence;
  readonly answers: Answers;
  private readonly now: () => number;
  private draining = false;

  constructor(private readonly deps: RoomServiceDeps) {
    this.now = deps.now ?? Date.now;
    const { store, locks, source, broadcaster, logger, directory, limits } = deps;
    this.presence = new Presence({ directory, broadcaster, logger });
    this.answers = new Answers({ store, locks, source, broadcaster, logger, ...limits });
    deps.cluster?.onStopRequest((request) => this.answers.stopLocal(request));
  }

  /** Call after the connection has joined the room's broadcast channel, so no delta falls between. */
  async join(connectionId: string, payload: JoinPayload): Promise<JoinResult> {
    const self: Member = { id: connectionId, name: payload.name, joinedAt: this.now(), role: payload.role ?? "participant" };
    const messages = await this.deps.store.listMessages(payload.roomId);
    const { members, count } = await this.presence.join(payload.roomId, self);
    return { room: this.roomInfo(payload.roomId), self, members, memberCount: count, messages, queue: [], queueCount: 0 };
  }

  leave(connectionId: string, roomId: string): void {
    this.presence.leave(connectionId, roomId);
  }

  /** A connection went away: it leaves its rooms. Its answers keep streaming for everyone else. */
  disconnect(connectionId: string): void {
    this.presence.disconnect(connectionId);
  }

  async send(connectionId: string, payload: SendPayload): Promise<SendResult> {
    const member = this.requireMember(connectionId, payload.roomId);
    this.checkLength(payload.text);
    if (this.draining) throw new AppError("server_shutdown", "This server is restarting; ask again in a moment.");
    const question = this.newMessage(payload.roomId, "user", member.name, payload.text);
    const answer = this.newAnswer(payload.roomId, question.id);
    await this.answers.claim(payload.roomId, answer.id);
    try {
      await this.publish(question, answer);
    } catch (error) {
      await this.answers.unclaim(payload.roomId, answer.id);
      throw error;
    }
    this.answers.start(answer, this.turnsFor(payload.roomId));
    return { messageId: question.id, replyId: answer.id };
  }

  /** Stops the answer here if this node runs it, else asks the node that does. */
  async stop(connectionId: string, payload: StopPayload): Promise<void> {
    const member = this.requireMember(connectionId, payload.roomId);
    const request = { roomId: payload.roomId, messageId: payload.messageId, by: member.name };
    if (this.answers.stopLocal(request)) return;
    if (await this.deps.cluster?.requestStop(request)) return;
    await this.explainNotStreaming(payload.roomId, payload.messageId);
  }

  async resume(connectionId: string, payload: ResumePayload): Promise<ResumeResult> {
    this.requireMember(connectionId, payload.roomId);
    const message = await this.deps.store.getMessage(payload.roomId, payload.messageId);
    if (!message) throw new AppError("not_found", "No such message in this room.");
    const deltas = await this.deps.store.readDeltas(payload.roomId, payload.messageId, payload.afterSeq);
    return { deltas, status: message.status };
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
    await this.presence.settle();
  }

  activeCount(): number {
    return this.answers.count();
  }

  roomCount(): number {
    return this.presence.roomCount();
  }

  private roomInfo(roomId: string): RoomInfo {
    const { source, limits } = this.deps;
    return {
      id: roomId,
      settings: defaultSettings("chat", roomId),
      owned: false,
      model: source.model,
      demo: source.demo,
      limits: { maxTextLength: limits.maxTextLength, maxNameLength: MAX_NAME_LENGTH },
    };
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

  private newAnswer(roomId: string, replyTo: string): Message {
    const { model, demo } = this.deps.source;
    const answer = this.newMessage(roomId, "assistant", model, "");
    return { ...answer, status: "streaming", replyTo, model, ...(demo ? { demo } : {}) };
  }

  private async publish(question: Message, answer: Message): Promise<void> {
    await this.deps.store.addMessage(question);
    await this.deps.store.addMessage(answer);
    this.deps.broadcaster.message(question);
    this.deps.broadcaster.message(answer);
  }

  private async turnsFor(roomId: string): Promise<ChatTurn[]> {
    const history = await this.deps.store.listMessages(roomId);
    return this.deps.buildTurns(history.filter((m) => m.status !== "streaming"));
  }
}
