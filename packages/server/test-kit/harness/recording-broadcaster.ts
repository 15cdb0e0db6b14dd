import type { EndEvent, Message, QuestionDismissedEvent, QueueChangedEvent } from "@tokencast/protocol";
import type { QuestionList } from "../../src/core/question-lists.ts";
import type { Broadcaster, MemberAccess } from "../../src/core/ports.ts";

type EventName = Exclude<keyof Broadcaster, "closeRoom" | "dropMembers">;

type Plain = Exclude<EventName, "questionDismissed" | "queue">;

/**
 * One event the core broadcast, in the order it was sent (a queue patch with its list, a
 * dismissal notice with the asker it went to).
 */
export type Recorded =
  | { [K in Plain]: { type: K; roomId: string; event: Parameters<Broadcaster[K]>[0] } }[Plain]
  | { type: "queue"; roomId: string; event: QueueChangedEvent; list: QuestionList }
  | { type: "questionDismissed"; roomId: string; event: QuestionDismissedEvent; asker: string };

/**
 * A Broadcaster that records every event in order, per room, and keeps the room's connections
 * (with how each got in) as the Socket.IO rooms would: `dropMembers` picks among them and
 * disconnects the dropped through `onDrop`, as a dropped socket's disconnect handler would.
 */
export class RecordingBroadcaster implements Broadcaster {
  readonly events: Recorded[] = [];
  /** Room → connection → how it got in. */
  private readonly rooms = new Map<string, Map<string, MemberAccess>>();
  /** Disconnects a connection the core dropped (wired by the harness to `RoomService.disconnect`). */
  onDrop: (connectionId: string) => void = () => undefined;

  message = (event: Message) => this.record({ type: "message", roomId: event.roomId, event });
  delta: Broadcaster["delta"] = (event) => this.record({ type: "delta", roomId: event.roomId, event });
  end = (event: EndEvent) => this.record({ type: "end", roomId: event.roomId, event });
  reasoning: Broadcaster["reasoning"] = (event) => this.record({ type: "reasoning", roomId: event.roomId, event });
  presence: Broadcaster["presence"] = (event) => this.record({ type: "presence", roomId: event.roomId, event });
  roomUpdated: Broadcaster["roomUpdated"] = (event) =>
    this.record({ type: "roomUpdated", roomId: event.roomId, event });
  typing: Broadcaster["typing"] = (event) => this.record({ type: "typing", roomId: event.roomId, event });
  queue: Broadcaster["queue"] = (event, list) => this.record({ type: "queue", roomId: event.roomId, event, list });
  questionDismissed: Broadcaster["questionDismissed"] = (event, asker) =>
    this.record({ type: "questionDismissed", roomId: event.roomId, event, asker });
  replay: Broadcaster["replay"] = (event) => this.record({ type: "replay", roomId: event.roomId, event });

  async closeRoom(event: Parameters<Broadcaster["closeRoom"]>[0]): Promise<number> {
    return this.disconnect(event.roomId, () => true);
  }

  async dropMembers(roomId: string, drop: (access: MemberAccess) => boolean): Promise<number> {
    return this.disconnect(roomId, drop);
  }

  /** A connection entered the room's broadcast channel (before the core's `join`, as in production). */
  enter(roomId: string, connectionId: string, access: MemberAccess): void {
    const room = this.rooms.get(roomId) ?? new Map<string, MemberAccess>();
    this.rooms.set(roomId, room.set(connectionId, access));
  }

  leave(roomId: string, connectionId: string): void {
    this.rooms.get(roomId)?.delete(connectionId);
  }

  /** The connections in the room's channel. */
  connections(roomId: string): string[] {
    return [...(this.rooms.get(roomId)?.keys() ?? [])];
  }

  /** Every event sent to the room, in order. */
  in(roomId: string): Recorded[] {
    return this.events.filter((recorded) => recorded.roomId === roomId);
  }

  /** The `chat:end` of one answer, once sent. */
  endOf(messageId: string): EndEvent | undefined {
    return this.ends().find((end) => end.messageId === messageId);
  }

  ends(): EndEvent[] {
    return this.events.flatMap((recorded) => (recorded.type === "end" ? [recorded.event] : []));
  }

  /** The text of an answer as a viewer assembles it from the deltas sent. */
  textOf(messageId: string): string {
    return this.events
      .flatMap((r) => (r.type === "delta" && r.event.messageId === messageId ? [r.event.text] : []))
      .join("");
  }

  private record(recorded: Recorded): void {
    this.events.push(recorded);
  }

  private disconnect(roomId: string, drop: (access: MemberAccess) => boolean): number {
    const dropped = [...(this.rooms.get(roomId) ?? [])].filter(([, access]) => drop(access)).map(([id]) => id);
    for (const connectionId of dropped) {
      for (const room of this.rooms.values()) room.delete(connectionId);
      this.onDrop(connectionId);
    }
    return dropped.length;
  }
}
