/**
 * The thin reactive wrapper: `$state` fields mirrored from a RoomConnection (via `subscribe`),
 * plus the room's actions. Components get it through context, never a connection directly.
 */
import { getContext, setContext } from "svelte";
import type { ErrorPayload, Member, Message, RoomInfo, SendResult } from "@tokencast/protocol";
import type { ConnectionState, RoomConnection } from "./room-connection.ts";

const ROOM_CONTEXT = Symbol("tokencast.room");

export class RoomState {
  state = $state<ConnectionState>("connecting");
  room = $state.raw<RoomInfo | undefined>();
  self = $state.raw<Member | undefined>();
  members = $state.raw<Member[]>([]);
  memberCount = $state(0);
  messages = $state.raw<Message[]>([]);
  lastError = $state.raw<ErrorPayload | undefined>();
  /** The answer streaming right now, if any (one at a time per room). */
  streaming = $derived(findStreaming(this.messages));
  readonly roomId: string;
  readonly name: string;

  private readonly unsubscribe: () => void;

  constructor(private readonly connection: RoomConnection) {
    this.roomId = connection.roomId;
    this.name = connection.name;
    this.unsubscribe = connection.subscribe(() => this.sync());
    this.sync();
  }

  send(text: string): Promise<SendResult> {
    return this.connection.send(text);
  }

  stop(messageId: string): Promise<void> {
    return this.connection.stop(messageId);
  }

  /** Reconnects after the connection went offline (gave up, or the join was refused). */
  retry(): void {
    this.connection.connect();
  }

  /** Stops mirroring; the composition root closes the connection. */
  destroy(): void {
    this.unsubscribe();
  }

  private sync(): void {
    const c = this.connection;
    this.state = c.state;
    this.room = c.room;
    this.self = c.self;
    this.members = c.members;
    this.memberCount = c.memberCount;
    this.messages = c.messages;
    this.lastError = c.lastError;
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
