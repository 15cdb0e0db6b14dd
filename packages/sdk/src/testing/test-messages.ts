/** Message and event factories for the unit tests. */
import type { DeltaEvent, EndEvent, Message } from "@tokencast/protocol";

export const ROOM = "test-room";

export function answer(id: string, patch: Partial<Message> = {}): Message {
  return {
    id,
    roomId: ROOM,
    role: "assistant",
    author: "demo",
    text: "",
    seq: 0,
    status: "streaming",
    createdAt: 1_000,
    ...patch,
  };
}

export function question(id: string, patch: Partial<Message> = {}): Message {
  return {
    id,
    roomId: ROOM,
    role: "user",
    author: "ada",
    text: "hi?",
    seq: 0,
    status: "done",
    createdAt: 1_000,
    ...patch,
  };
}

export function delta(messageId: string, seq: number, text = `t${seq} `): DeltaEvent {
  return { roomId: ROOM, messageId, seq, text };
}

/** The text of deltas 1..n made by `delta()`. */
export function textUpTo(n: number, from = 1): string {
  let text = "";
  for (let seq = from; seq <= n; seq++) text += `t${seq} `;
  return text;
}

export function end(messageId: string, seq: number, patch: Partial<EndEvent> = {}): EndEvent {
  return { roomId: ROOM, messageId, seq, status: "done", finishReason: "stop", ...patch };
}
