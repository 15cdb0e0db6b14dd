/** The answers of a room as an async iteration: those streaming now, then each new one as it starts. */
import { isFinalStatus } from "@tokencast/protocol";
import type { Message } from "@tokencast/protocol";
import { AsyncQueue } from "./async-queue.ts";
import type { RoomEvents } from "./room-events.ts";

/** An answer that has not ended: the model is (or will be) writing it. */
export function isOpenAnswer(message: Message): boolean {
  return message.role === "assistant" && !isFinalStatus(message.status);
}

/** What the iteration needs of a room. */
export interface AnswersSource {
  readonly state: RoomEvents["state"];
  readonly messages: readonly Message[];
  on<K extends keyof RoomEvents>(name: K, listener: (value: RoomEvents[K]) => void): () => void;
}

/** Ends (without an error) when the room goes offline: its `error` event and `lastError` say why. */
export async function* answersOf(room: AnswersSource): AsyncGenerator<Message> {
  const queue = new AsyncQueue<Message>();
  const seen = new Set<string>();
  const take = (answer: Message): void => {
    if (seen.has(answer.id)) return;
    seen.add(answer.id);
    queue.push(answer);
  };
  const stops = [
    room.on("answer", take),
    room.on("state", (state) => {
      if (state === "offline") queue.end();
    }),
  ];
  for (const message of room.messages) if (isOpenAnswer(message)) take(message);
  if (room.state === "offline") queue.end();
  try {
    yield* queue.drain();
  } finally {
    for (const stop of stops) stop();
  }
}
