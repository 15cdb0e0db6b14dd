/**
 * A room for scripts and third-party clients: RoomSync (joins on every reconnect, gap fill,
 * resync) with typed events derived from RoomLog's changes, so a `delta` listener sees each
 * delta exactly once and in order, and answers as async iterations of their text.
 */
import type { Member, Message, PresenceEvent } from "@tokencast/protocol";
import { answersOf, isOpenAnswer } from "./answers.ts";
import { answerText } from "./answer-text.ts";
import { everyMember } from "./member-pages.ts";
import type { LogChange } from "./room-log.ts";
import type { RoomEvents } from "./room-events.ts";
import { RoomSync } from "./room-sync.ts";
import { RequestError } from "./socket-request.ts";
import type { ConnectionState, RoomSyncOptions } from "./sync-types.ts";
import { TypedEmitter } from "./typed-emitter.ts";

export class RoomClient extends RoomSync {
  private readonly events = new TypedEmitter<RoomEvents>();
  /** Answers already announced by an `answer` event: each is announced once. */
  private readonly announced = new Set<string>();

  constructor(options: RoomSyncOptions) {
    super(options);
    this.socket.on("room:closed", (event) => {
      if (event.roomId === this.roomId) this.events.emit("error", new RequestError(event.error));
    });
  }

  /** Calls `listener` with every `name` event. Returns the unsubscribe function. */
  on<K extends keyof RoomEvents>(name: K, listener: (value: RoomEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /**
   * The text of answer `messageId`: what it holds now, then each delta, ending when the answer
   * ends. Throws `AnswerError` if it failed, and `RequestError` (`not_in_room`) if the room closes first.
   */
  answer(messageId: string): AsyncIterable<string> {
    return answerText(this, messageId);
  }

  /** The answers streaming now, then each new one as it starts; ends when the room goes offline. */
  answers(): AsyncIterable<Message> {
    return answersOf(this);
  }

  /** Every member of the room, fetched page by page (`limit` per request) with `fetchMembers`. */
  allMembers(limit?: number): AsyncIterable<Member> {
    return everyMember((options) => this.fetchMembers(options), limit);
  }

  protected override onLogChange(change: LogChange): void {
    if (change.type === "message") return this.onMessage(change.message);
    if (change.type === "delta") {
      const { messageId, seq, text } = change;
      return this.events.emit("delta", { messageId, seq, text });
    }
    if (change.type === "end") return this.events.emit("end", { message: change.message, end: change.end });
    this.events.emit("reasoning", { messageId: change.messageId, text: change.text });
  }

  private onMessage(message: Message): void {
    this.events.emit("message", message);
    if (!isOpenAnswer(message) || this.announced.has(message.id)) return;
    this.announced.add(message.id);
    this.events.emit("answer", message);
  }

  protected override onPresence(presence: PresenceEvent): void {
    super.onPresence(presence);
    if (presence.roomId === this.roomId) this.events.emit("presence", presence);
  }

  protected override onJoinFailed(error: RequestError): void {
    this.events.emit("error", error);
    super.onJoinFailed(error);
  }

  protected override setState(state: ConnectionState): void {
    if (state === this.state) return;
    super.setState(state);
    this.events.emit("state", state);
  }
}
