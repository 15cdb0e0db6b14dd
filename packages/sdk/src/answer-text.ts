/**
 * The text of one answer as an async iteration: what is there already, then each addition, until
 * the answer is final. It reads the room's log after every change of that answer, so a snapshot
 * after a reconnect (which may bring several deltas at once) continues exactly where it was.
 */
import { isFinalStatus } from "@tokencast/protocol";
import type { Message } from "@tokencast/protocol";
import { AsyncQueue } from "./async-queue.ts";
import { answerFailure, roomClosedError } from "./room-errors.ts";
import type { RoomEvents } from "./room-events.ts";

/** What the iteration needs of a room. */
export interface AnswerSource {
  readonly state: RoomEvents["state"];
  getMessage(id: string): Message | undefined;
  on<K extends keyof RoomEvents>(name: K, listener: (value: RoomEvents[K]) => void): () => void;
}

export async function* answerText(room: AnswerSource, messageId: string): AsyncGenerator<string> {
  const queue = new AsyncQueue<string>();
  let delivered = 0;
  const follow = (): void => {
    const message = room.getMessage(messageId);
    if (!message) return;
    if (message.text.length > delivered) queue.push(message.text.slice(delivered));
    delivered = Math.max(delivered, message.text.length);
    if (isFinalStatus(message.status)) queue.end(answerFailure(message));
  };
  const stops = followAnswer(room, messageId, follow);
  stops.push(
    room.on("state", (state) => {
      if (state === "offline") queue.end(roomClosedError());
    }),
  );
  follow();
  if (room.state === "offline") queue.end(roomClosedError());
  try {
    yield* queue.drain();
  } finally {
    for (const stop of stops) stop();
  }
}

/** Calls `follow` after every change of the message `messageId`. Returns the unsubscribe functions. */
function followAnswer(room: AnswerSource, messageId: string, follow: () => void): Array<() => void> {
  const ifOurs = (id: string): void => {
    if (id === messageId) follow();
  };
  return [
    room.on("message", (message) => ifOurs(message.id)),
    room.on("delta", (delta) => ifOurs(delta.messageId)),
    room.on("end", ({ message }) => ifOurs(message.id)),
  ];
}
