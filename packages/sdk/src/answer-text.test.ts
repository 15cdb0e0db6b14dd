import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import { answerText } from "./answer-text.ts";
import type { AnswerSource } from "./answer-text.ts";
import type { RoomEvents } from "./room-events.ts";
import { answer } from "./testing/test-messages.ts";
import { TypedEmitter } from "./typed-emitter.ts";

/** A room reduced to what the iteration reads, counting the listeners it holds. */
class FakeSource implements AnswerSource {
  state: RoomEvents["state"] = "live";
  readonly held = new Map<string, Message>();
  listeners = 0;
  private readonly events = new TypedEmitter<RoomEvents>();

  getMessage(id: string): Message | undefined {
    return this.held.get(id);
  }

  on<K extends keyof RoomEvents>(name: K, listener: (value: RoomEvents[K]) => void): () => void {
    this.listeners++;
    const stop = this.events.on(name, listener);
    return () => {
      this.listeners--;
      stop();
    };
  }

  /** The answer grew (as the log reports a delta). */
  grow(id: string, text: string): void {
    const message = this.held.get(id) ?? answer(id);
    const next = { ...message, text: message.text + text, seq: message.seq + 1 };
    this.held.set(id, next);
    this.events.emit("delta", { messageId: id, seq: next.seq, text });
  }

  /** The answer was replaced whole (as a snapshot reports it). */
  replace(message: Message): void {
    this.held.set(message.id, message);
    this.events.emit("message", message);
  }
}

async function next(iterator: AsyncIterator<string>): Promise<IteratorResult<string>> {
  return iterator.next();
}

describe("answerText", () => {
  it("yields each growth once, in order, and the rest of a whole replacement", async () => {
    const source = new FakeSource();
    const iterator = answerText(source, "a");
    const first = next(iterator);
    source.grow("a", "one ");
    source.grow("a", "two ");
    expect(await first).toEqual({ value: "one ", done: false });
    expect(await next(iterator)).toEqual({ value: "two ", done: false });
    source.replace(answer("a", { text: "one two three", seq: 3, status: "done" }));
    expect(await next(iterator)).toEqual({ value: "three", done: false });
    expect(await next(iterator)).toEqual({ value: undefined, done: true });
    expect(source.listeners).toBe(0);
  });

  it("lets go of the room's events when the loop breaks early", async () => {
    const source = new FakeSource();
    source.grow("a", "first");
    for await (const chunk of answerText(source, "a")) {
      expect(chunk).toBe("first");
      expect(source.listeners).toBeGreaterThan(0);
      break;
    }
    expect(source.listeners).toBe(0);
  });

  it("finishes at once for an answer that is already over, and fails for one that failed", async () => {
    const source = new FakeSource();
    source.replace(answer("done", { text: "all", status: "stopped" }));
    source.replace(answer("lost", { text: "half", status: "interrupted" }));
    const chunks: string[] = [];
    for await (const chunk of answerText(source, "done")) chunks.push(chunk);
    expect(chunks).toEqual(["all"]);
    const lost = answerText(source, "lost");
    expect(await next(lost)).toEqual({ value: "half", done: false });
    await expect(next(lost)).rejects.toMatchObject({ name: "AnswerError", code: "owner_lost" });
  });
});
