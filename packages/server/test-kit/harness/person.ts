import type { JoinResult, SendResult } from "@tokencast/protocol";
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
  submitQuestion(text: string): Promise<{ questionId: string }> {
    return this.rooms.submitQuestion(this.id, { roomId: this.roomId, text });
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
