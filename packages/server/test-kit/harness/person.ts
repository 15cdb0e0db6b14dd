import type { JoinResult, SendResult, SubmitResult } from "@tokencast/protocol";
import type { RoomService } from "../../src/core/room-service.ts";

/** A connection that joined a room, acting through RoomService's public methods only. */
export class Person {
  constructor(
    private readonly rooms: RoomService,
    readonly id: string,
    readonly roomId: string,
    readonly joined: JoinResult,
  ) {}

  ask(text: string): Promise<SendResult> {
    return this.rooms.send(this.id, { roomId: this.roomId, text });
  }

  /** Ask-once: the room's answer to this prompt (asked only when the room has none yet). */
  askShared(text: string): Promise<SendResult> {
    return this.rooms.send(this.id, { roomId: this.roomId, text, shared: true });
  }

  /** Replays a finished answer for everyone in the room (owner and presenters). */
  replay(messageId: string): Promise<void> {
    return this.rooms.replay(this.id, { roomId: this.roomId, messageId });
  }

  stop(messageId: string): Promise<void> {
    return this.rooms.stop(this.id, { roomId: this.roomId, messageId });
  }

  regenerate(messageId: string): Promise<{ replyId: string }> {
    return this.rooms.regenerate(this.id, { roomId: this.roomId, messageId });
  }

  /** Puts a question in a presentation's queue. */
  submitQuestion(text: string, anonymous?: boolean): Promise<SubmitResult> {
    return this.rooms.submitQuestion(this.id, { roomId: this.roomId, text, ...(anonymous ? { anonymous } : {}) });
  }

  vote(questionId: string): Promise<{ votes: number }> {
    return this.rooms.vote(this.id, { roomId: this.roomId, questionId });
  }

  unvote(questionId: string): Promise<{ votes: number }> {
    return this.rooms.unvote(this.id, { roomId: this.roomId, questionId });
  }

  editQuestion(questionId: string, text: string): Promise<void> {
    return this.rooms.editQuestion(this.id, { roomId: this.roomId, questionId, text });
  }

  withdrawQuestion(questionId: string): Promise<void> {
    return this.rooms.withdrawQuestion(this.id, { roomId: this.roomId, questionId });
  }

  /** A presenter drops a queued question. */
  dismissQuestion(questionId: string): Promise<void> {
    return this.rooms.dismissQuestion(this.id, { roomId: this.roomId, questionId });
  }

  /** Owner and presenters: a question waiting for approval joins the queue. */
  approveQuestion(questionId: string): Promise<void> {
    return this.rooms.approveQuestion(this.id, { roomId: this.roomId, questionId });
  }

  /** Whoever may prompt: an answered question goes back into the queue. */
  restoreQuestion(questionId: string): Promise<void> {
    return this.rooms.restoreQuestion(this.id, { roomId: this.roomId, questionId });
  }

  /** The room's join code (owner and presenters). */
  joinCode(): Promise<{ code: string }> {
    return this.rooms.joinCode(this.id, this.roomId);
  }

  /** A presenter sends a queued question to the model. */
  sendQuestion(questionId: string): Promise<SendResult> {
    return this.rooms.sendQuestion(this.id, { roomId: this.roomId, questionId });
  }

  leave(): void {
    this.rooms.leave(this.id, this.roomId);
  }

  disconnect(): void {
    this.rooms.disconnect(this.id);
  }
}
