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
import { MAX_LISTED_MEMBERS, MAX_NAME_LENGTH } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import { Generation } from "./generation.ts";
import { MemberRegistry } from "./members.ts";
import { PresenceThrottle } from "./presence-throttle.ts";
import type { AnswerLocks, AnswerSource, Broadcaster, ChatTurn, Cluster, Logger, RoomStore } from "./ports.ts";

/** Presence goes out at most this often per room: a crowd joining at once costs a few broadcasts, not one per join. */
const PRESENCE_INTERVAL_MS = 250;

export interface RoomServiceDeps {
  store: RoomStore;
  locks: AnswerLocks;
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
  private readonly members = new MemberRegistry();
  private readonly active = new Map<string, Generation>();
  private readonly running = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly presence: PresenceThrottle;

  constructor(private readonly deps: RoomServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.presence = new PresenceThrottle(PRESENCE_INTERVAL_MS, (roomId) =>
      deps.broadcaster.presence({ roomId, ...this.presenceOf(roomId) }),
    );
    deps.cluster?.onStopRequest((request) => this.stopLocal(request));
  }

  /** Call after the connection has joined the room's broadcast channel, so no delta falls between. */
  async join(connectionId: string, payload: JoinPayload): Promise<JoinResult> {
    const self: Member = { id: connectionId, name: payload.name, joinedAt: this.now() };
    this.members.add(payload.roomId, self);
    const messages = await this.deps.store.listMessages(payload.roomId);
    this.presence.changed(payload.roomId);
    const { members, count } = this.presenceOf(payload.roomId);
    return { room: this.roomInfo(payload.roomId), self, members, memberCount: count, messages };
  }

  leave(connectionId: string, roomId: string): void {
    if (this.members.remove(roomId, connectionId)) this.presence.changed(roomId);
  }

  /** A connection went away: it leaves its rooms. Its answers keep streaming for everyone else. */
  disconnect(connectionId: string): void {
    for (const roomId of this.members.roomsOf(connectionId)) this.leave(connectionId, roomId);
  }

  async send(connectionId: string, payload: SendPayload): Promise<SendResult> {
    const member = this.requireMember(connectionId, payload.roomId);
    this.checkLength(payload.text);
    const question = this.newMessage(payload.roomId, "user", member.name, payload.text);
    const answer = this.newAnswer(payload.roomId, question.id);
    if (this.active.has(payload.roomId) || !(await this.deps.locks.acquire(payload.roomId, answer.id))) {
      throw new AppError("busy", "An answer is still streaming in this room; wait for it or stop it.");
    }
    const generation = this.createGeneration(answer);
    this.active.set(payload.roomId, generation);
    try {
      await this.publish(question, answer);
    } catch (error) {
      this.active.delete(payload.roomId);
      await this.deps.locks.release(payload.roomId, answer.id);
      throw error;
    }
    this.start(generation, this.turnsFor(payload.roomId));
    return { messageId: question.id, replyId: answer.id };
  }

  /** Stops the answer here if this node runs it, else asks the node that does. */
  async stop(connectionId: string, payload: StopPayload): Promise<void> {
    const member = this.requireMember(connectionId, payload.roomId);
    const request = { roomId: payload.roomId, messageId: payload.messageId, by: member.name };
    if (this.stopLocal(request)) return;
    if (await this.deps.cluster?.requestStop(request)) return;
    await this.explainNotStreaming(payload.roomId, payload.messageId);
  }

  private stopLocal(request: { roomId: string; messageId: string; by: string }): boolean {
    const generation = this.active.get(request.roomId);
    if (generation?.messageId !== request.messageId) return false;
    generation.stop(request.by);
    return true;
  }

  async resume(connectionId: string, payload: ResumePayload): Promise<ResumeResult> {
    this.requireMember(connectionId, payload.roomId);
    const message = await this.deps.store.getMessage(payload.roomId, payload.messageId);
    if (!message) throw new AppError("not_found", "No such message in this room.");
    const deltas = await this.deps.store.readDeltas(payload.roomId, payload.messageId, payload.afterSeq);
    return { deltas, status: message.status };
  }

  /** Ends every answer in progress `interrupted` and waits for them to be recorded. */
  async shutdown(reason: string): Promise<void> {
    this.presence.dispose();
    for (const generation of this.active.values()) generation.interrupt(reason);
    await Promise.all([...this.running]);
  }

  private presenceOf(roomId: string): { members: Member[]; count: number } {
    const all = this.members.list(roomId);
    return { members: all.slice(0, MAX_LISTED_MEMBERS), count: all.length };
  }

  activeCount(): number {
    return this.active.size;
  }

  roomCount(): number {
    return this.members.roomCount();
  }

  private roomInfo(roomId: string): RoomInfo {
    const { source, limits } = this.deps;
    return {
      id: roomId,
      model: source.model,
      demo: source.demo,
      limits: { maxTextLength: limits.maxTextLength, maxNameLength: MAX_NAME_LENGTH },
    };
  }

  private requireMember(connectionId: string, roomId: string): Member {
    const member = this.members.get(roomId, connectionId);
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

  private createGeneration(answer: Message): Generation {
    const { store, source, broadcaster, logger, limits } = this.deps;
    const deps = { store, source, broadcaster, logger, ...limits };
    return new Generation(deps, { roomId: answer.roomId, messageId: answer.id });
  }

  private start(generation: Generation, turns: Promise<ChatTurn[]>): void {
    const { roomId, messageId } = generation;
    const renewal = setInterval(() => void this.renew(roomId, messageId), this.deps.locks.renewEveryMs);
    const run = generation.run(turns).finally(async () => {
      clearInterval(renewal);
      this.active.delete(roomId);
      this.running.delete(run);
      await this.deps.locks.release(roomId, messageId).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, roomId }, "could not release the room's answer lock (it expires by itself)");
      });
    });
    this.running.add(run);
  }

  private async renew(roomId: string, messageId: string): Promise<void> {
    try {
      if (!(await this.deps.locks.renew(roomId, messageId))) this.deps.logger.warn({ roomId, messageId }, "answer lock lost");
    } catch (error) {
      this.deps.logger.warn({ err: error, roomId }, "could not renew the answer lock");
    }
  }
}
