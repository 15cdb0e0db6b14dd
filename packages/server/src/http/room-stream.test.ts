import { describe, expect, it } from "vitest";
import type { Delta, DeltaEvent, EndEvent, Message } from "@tokencast/protocol";
import { RoomStream, SlowConsumerError, type LiveEvent } from "./room-stream.ts";
import type { SseEvent } from "./sse-writer.ts";

const ROOM = "r1";

/** The room as the server holds it: messages and each answer's delta log. */
class FakeRoom {
  messages: Message[] = [];
  readonly logs = new Map<string, Delta[]>();
  /** Messages whose log is gone (trimmed or expired): resume returns nothing. */
  readonly trimmed = new Set<string>();
  resumes: Array<{ messageId: string; afterSeq: number }> = [];
  /** Fresh snapshots taken (room:join again). */
  snapshots = 0;

  question(id: string, text = `question ${id}`): Message {
    const message: Message = {
      id,
      roomId: ROOM,
      role: "user",
      author: "ann",
      text,
      seq: 0,
      status: "done",
      createdAt: 1,
    };
    this.messages.push(message);
    return structuredClone(message);
  }

  answer(id: string): Message {
    const message: Message = {
      id,
      roomId: ROOM,
      role: "assistant",
      author: "model",
      text: "",
      seq: 0,
      status: "streaming",
      createdAt: 2,
    };
    this.messages.push(message);
    this.logs.set(id, []);
    return structuredClone(message);
  }

  delta(id: string, text: string): DeltaEvent {
    const message = this.get(id);
    message.seq += 1;
    message.text += text;
    this.logs.get(id)!.push({ seq: message.seq, text });
    return { roomId: ROOM, messageId: id, seq: message.seq, text };
  }

  end(id: string): EndEvent {
    const message = this.get(id);
    message.status = "done";
    message.finishReason = "stop";
    return { roomId: ROOM, messageId: id, seq: message.seq, status: "done", finishReason: "stop" };
  }

  snapshot(): Message[] {
    this.snapshots++;
    return structuredClone(this.messages);
  }

  async resume(messageId: string, afterSeq: number) {
    this.resumes.push({ messageId, afterSeq });
    const deltas = this.trimmed.has(messageId) ? [] : (this.logs.get(messageId) ?? []).slice(afterSeq);
    return { deltas: structuredClone(deltas), status: this.get(messageId).status };
  }

  get(id: string): Message {
    const message = this.messages.find((m) => m.id === id);
    if (!message) throw new Error(`no message ${id}`);
    return message;
  }
}

/** An SSE consumer following docs/sse.md: `message` sets a message, `delta` appends, `end` ends. */
class Consumer {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  readonly texts = new Map<string, string>();
  readonly seqs = new Map<string, number>();
  readonly ended = new Set<string>();
  readonly violations: string[] = [];
  lastId: string | undefined;

  receive(event: SseEvent): void {
    this.events.push(event);
    if (event.id !== undefined) this.lastId = event.id;
    const data = event.data as { id: string; messageId: string; seq: number; text: string };
    if (event.event === "message") this.setMessage(data);
    if (event.event === "delta") this.appendDelta(data);
    if (event.event === "end") this.endMessage(data.messageId);
  }

  private setMessage(message: { id: string; seq: number; text: string }): void {
    if (this.ended.has(message.id)) this.violations.push(`message ${message.id} after its end`);
    this.texts.set(message.id, message.text);
    this.seqs.set(message.id, message.seq);
  }

  private appendDelta({ messageId, seq, text }: { messageId: string; seq: number; text: string }): void {
    const have = this.seqs.get(messageId);
    if (have === undefined) this.violations.push(`delta ${messageId}:${seq} for an unknown message`);
    else if (seq !== have + 1) this.violations.push(`delta ${messageId}:${seq} after seq ${have}`);
    this.texts.set(messageId, (this.texts.get(messageId) ?? "") + text);
    this.seqs.set(messageId, seq);
  }

  private endMessage(messageId: string): void {
    if (this.ended.has(messageId)) this.violations.push(`second end of ${messageId}`);
    this.ended.add(messageId);
  }

  named(name: string): SseEvent[] {
    return this.events.filter((e) => e.event === name);
  }
}

interface Opened {
  stream: RoomStream;
  failures: unknown[];
}

/** A stream over `room` for `consumer`, whose sends are taken at once. */
interface OpenOptions {
  lastEventId?: string;
  /** Live events that arrive before the join's answer. */
  early?: LiveEvent[];
  snapshot?: Message[];
  maxPendingBytes?: number;
}

function open(room: FakeRoom, consumer: Consumer, options: OpenOptions = {}): Opened {
  const failures: unknown[] = [];
  const stream = new RoomStream({
    send: (event) => consumer.receive(structuredClone(event)),
    comment: (text) => consumer.comments.push(text),
    resume: (messageId, afterSeq) => room.resume(messageId, afterSeq),
    snapshot: async () => room.snapshot(),
    drained: async () => undefined,
    fail: (error) => failures.push(error),
    maxPendingBytes: options.maxPendingBytes ?? 1024 * 1024,
  });
  for (const event of options.early ?? []) stream.push(event);
  stream.start(options.snapshot ?? room.snapshot(), options.lastEventId);
  return { stream, failures };
}

const delta = (event: DeltaEvent): LiveEvent => ({ type: "delta", delta: event });
const end = (event: EndEvent): LiveEvent => ({ type: "end", end: event });
const message = (m: Message): LiveEvent => ({ type: "message", message: m });

describe("RoomStream: snapshot and live events", () => {
  it("sends the history as message events (final ones with :end ids), then live deltas and the end", async () => {
    const room = new FakeRoom();
    room.question("q1");
    room.answer("a1");
    room.delta("a1", "Hel");
    const consumer = new Consumer();
    const { stream } = open(room, consumer);
    stream.push(delta(room.delta("a1", "lo")));
    stream.push(end(room.end("a1")));
    await stream.idle();
    expect(consumer.events.map((e) => [e.event, e.id])).toEqual([
      ["message", "q1:end"],
      ["message", "a1:1"],
      ["delta", "a1:2"],
      ["end", "a1:end"],
    ]);
    expect(consumer.named("delta")[0]!.data).toEqual({ messageId: "a1", seq: 2, text: "lo" });
    expect(consumer.texts.get("a1")).toBe("Hello");
    expect(consumer.violations).toEqual([]);
  });

  it("merges live events that came before the snapshot: what it covers is dropped, the rest follows", async () => {
    const room = new FakeRoom();
    room.question("q1");
    const answer = room.answer("a1");
    const early = [message(answer), delta(room.delta("a1", "a")), delta(room.delta("a1", "b"))];
    const snapshot = room.snapshot(); // covers seq 2
    early.push(delta(room.delta("a1", "c")));
    const consumer = new Consumer();
    const { stream } = open(room, consumer, { early, snapshot });
    await stream.idle();
    expect(consumer.events.map((e) => e.id)).toEqual(["q1:end", "a1:2", "a1:3"]);
    expect(consumer.texts.get("a1")).toBe("abc");
    expect(room.resumes).toEqual([]);
  });

  it("an answer that ended in the snapshot needs none of the live deltas or end that preceded it", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const early = [delta(room.delta("a1", "x")), delta(room.delta("a1", "y")), end(room.end("a1"))];
    const consumer = new Consumer();
    const { stream } = open(room, consumer, { early });
    await stream.idle();
    expect(consumer.events.map((e) => [e.event, e.id])).toEqual([["message", "a1:end"]]);
    expect(consumer.texts.get("a1")).toBe("xy");
  });

  it("fills a gap in live deltas from the log, and ignores duplicates", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const consumer = new Consumer();
    const { stream } = open(room, consumer);
    const d1 = room.delta("a1", "1");
    room.delta("a1", "2"); // lost on the way (a slow viewer skips deltas)
    const d3 = room.delta("a1", "3");
    for (const d of [d1, d1, d3, d3]) stream.push(delta(d));
    stream.push(end(room.end("a1")));
    await stream.idle();
    expect(room.resumes).toEqual([{ messageId: "a1", afterSeq: 1 }]);
    expect(room.snapshots, "fresh snapshots besides the first").toBe(1);
    expect(consumer.named("delta").map((e) => e.id)).toEqual(["a1:1", "a1:2", "a1:3"]);
    expect(consumer.texts.get("a1")).toBe("123");
    expect(consumer.violations).toEqual([]);
  });

  it("an end whose seq is ahead gets the missing deltas first", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const consumer = new Consumer();
    const { stream } = open(room, consumer);
    room.delta("a1", "p");
    room.delta("a1", "q");
    stream.push(end(room.end("a1")));
    await stream.idle();
    expect(consumer.events.map((e) => e.id)).toEqual(["a1:0", "a1:1", "a1:2", "a1:end"]);
    expect(consumer.texts.get("a1")).toBe("pq");
    expect(room.snapshots, "fresh snapshots besides the first").toBe(1);
  });

  it("a gap the log cannot fill takes a fresh snapshot and sends the message whole", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const consumer = new Consumer();
    const { stream, failures } = open(room, consumer);
    room.delta("a1", "lost ");
    room.trimmed.add("a1");
    stream.push(delta(room.delta("a1", "found")));
    await stream.idle();
    expect(consumer.events.map((e) => [e.event, e.id])).toEqual([
      ["message", "a1:0"],
      ["message", "a1:2"],
    ]);
    expect(consumer.texts.get("a1")).toBe("lost found");
    stream.push(delta(room.delta("a1", "!")));
    stream.push(end(room.end("a1")));
    await stream.idle();
    expect(consumer.texts.get("a1")).toBe("lost found!");
    expect(consumer.ended.has("a1")).toBe(true);
    expect(failures).toEqual([]);
  });

  it("sends a message again when it changed (no longer queued), not when it is a duplicate", async () => {
    const room = new FakeRoom();
    const queued = { ...room.answer("a1"), queued: true };
    room.get("a1").queued = true;
    const consumer = new Consumer();
    const { stream } = open(room, consumer);
    stream.push(message(queued));
    const { queued: _queued, ...started } = queued;
    stream.push(message(started));
    stream.push(message(started));
    await stream.idle();
    expect(consumer.named("message").map((e) => (e.data as Message).queued ?? false)).toEqual([true, false]);
  });

  it("forwards presence, room and queue events without ids, and reasoning only for answers in progress", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const consumer = new Consumer();
    const { stream } = open(room, consumer);
    const roleCounts = { owner: 0, presenter: 0, participant: 0, viewer: 1 };
    stream.push({ type: "presence", presence: { roomId: ROOM, members: [], count: 1, roleCounts } });
    stream.push({ type: "queue", queue: { roomId: ROOM, questions: [], count: 0 } });
    stream.push({ type: "reasoning", reasoning: { roomId: ROOM, messageId: "a1", text: "hmm" } });
    stream.push({ type: "reasoning", reasoning: { roomId: ROOM, messageId: "nope", text: "?" } });
    await stream.idle();
    expect(consumer.events.slice(1).map((e) => [e.event, e.id])).toEqual([
      ["presence", undefined],
      ["queue", undefined],
      ["reasoning", undefined],
    ]);
  });

  it("room:resync applies a fresh snapshot: new messages whole, known ones completed and ended", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const consumer = new Consumer();
    const { stream } = open(room, consumer);
    room.delta("a1", "missed");
    room.end("a1");
    room.question("q2");
    stream.push({ type: "resync" });
    await stream.idle();
    expect(consumer.events.map((e) => [e.event, e.id])).toEqual([
      ["message", "a1:0"],
      ["delta", "a1:1"],
      ["end", "a1:end"],
      ["message", "q2:end"],
    ]);
  });

  it("a failed resume ends the stream once; nothing is sent after it", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const consumer = new Consumer();
    const failures: unknown[] = [];
    const stream = new RoomStream({
      send: (event) => consumer.receive(event),
      comment: () => undefined,
      resume: async () => Promise.reject(new Error("no ack")),
      snapshot: async () => room.snapshot(),
      drained: async () => undefined,
      fail: (error) => failures.push(error),
      maxPendingBytes: 1024 * 1024,
    });
    stream.start(room.snapshot(), undefined);
    room.delta("a1", "1");
    stream.push(delta(room.delta("a1", "2")));
    stream.push(delta(room.delta("a1", "3")));
    stream.push(end(room.end("a1")));
    await stream.idle();
    expect(failures).toHaveLength(1);
    expect(consumer.events.map((e) => e.id)).toEqual(["a1:0"]);
  });
});

describe("RoomStream: a consumer that does not keep up", () => {
  it("takes a burst past the bound in stride while the consumer keeps up", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const consumer = new Consumer();
    const { stream, failures } = open(room, consumer, { maxPendingBytes: 1000 });
    for (let i = 0; i < 10; i++) stream.push(delta(room.delta("a1", "x".repeat(300))));
    await stream.idle();
    expect(failures).toEqual([]);
    expect(consumer.named("delta")).toHaveLength(10);
  });

  it("waits for the consumer to drain between events, and cuts it off once live events pile up past the bound", async () => {
    const room = new FakeRoom();
    room.answer("a1");
    const consumer = new Consumer();
    const failures: unknown[] = [];
    const waiting: Array<() => void> = [];
    const stream = new RoomStream({
      send: (event) => consumer.receive(event),
      comment: () => undefined,
      resume: (messageId, afterSeq) => room.resume(messageId, afterSeq),
      snapshot: async () => room.snapshot(),
      drained: () => new Promise<void>((resolve) => waiting.push(resolve)),
      fail: (error) => failures.push(error),
      maxPendingBytes: 1000,
    });
    stream.start(room.snapshot(), undefined);
    const big = () => delta(room.delta("a1", "x".repeat(300)));
    stream.push(big());
    stream.push(big());
    await waitUntil(() => waiting.length === 1);
    expect(consumer.events.map((e) => e.id)).toEqual(["a1:0"]); // nothing more until it drains
    waiting.shift()!();
    await waitUntil(() => waiting.length === 1);
    expect(consumer.events.map((e) => e.id)).toEqual(["a1:0", "a1:1"]);
    expect(failures).toEqual([]);

    stream.push(big());
    stream.push(big()); // three waiting, 500 bytes each with the overhead: past 1000
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(SlowConsumerError);
    for (const resolve of waiting.splice(0)) resolve();
    await stream.idle();
    expect(consumer.events.map((e) => e.id)).toEqual(["a1:0", "a1:1"]);
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

describe("RoomStream: resuming at Last-Event-ID", () => {
  function roomWithHistory(): FakeRoom {
    const room = new FakeRoom();
    room.question("q1");
    room.answer("a1");
    room.delta("a1", "one");
    room.end("a1");
    room.question("q2");
    room.answer("a2");
    for (const t of ["A", "B", "C", "D"]) room.delta("a2", t);
    return room;
  }

  it("sends only the deltas after the given seq (from the log), then what follows", async () => {
    const room = roomWithHistory();
    room.end("a2");
    room.question("q3");
    const consumer = new Consumer();
    const { stream } = open(room, consumer, { lastEventId: "a2:2" });
    await stream.idle();
    expect(room.resumes).toEqual([{ messageId: "a2", afterSeq: 2 }]);
    expect(consumer.events.map((e) => [e.event, e.id])).toEqual([
      ["delta", "a2:3"],
      ["delta", "a2:4"],
      ["end", "a2:end"],
      ["message", "q3:end"],
    ]);
  });

  it("at the last seq of an answer still streaming: nothing until the next live delta", async () => {
    const room = roomWithHistory();
    const consumer = new Consumer();
    const { stream } = open(room, consumer, { lastEventId: "a2:4" });
    stream.push(delta(room.delta("a2", "E")));
    await stream.idle();
    expect(consumer.events.map((e) => e.id)).toEqual(["a2:5"]);
  });

  it("at an :end id: nothing of that message again", async () => {
    const room = roomWithHistory();
    const consumer = new Consumer();
    const { stream } = open(room, consumer, { lastEventId: "q2:end" });
    await stream.idle();
    expect(consumer.events.map((e) => e.id)).toEqual(["a2:4"]);
  });

  it("an unknown or malformed id sends everything, and says why in a comment", async () => {
    for (const lastEventId of ["gone:3", "garbage"]) {
      const room = roomWithHistory();
      const consumer = new Consumer();
      const { stream } = open(room, consumer, { lastEventId });
      await stream.idle();
      expect(consumer.events.map((e) => e.id)).toEqual(["q1:end", "a1:end", "q2:end", "a2:4"]);
      expect(consumer.comments.join("\n")).toContain(lastEventId);
    }
  });
});

/** A small seeded PRNG (mulberry32): the random test is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("RoomStream: any number of reconnects", () => {
  it("the text a consumer builds equals the answer, without duplicate or gap, whatever the drops, duplicates and cut points", async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = random(seed);
      const room = new FakeRoom();
      room.question("q1");
      room.answer("a1");
      const tokens = Array.from({ length: 30 }, (_, i) => `t${i} `);
      const consumer = new Consumer();
      let pending: LiveEvent[] = [];
      let stream: RoomStream | undefined;
      let produced = 0;
      for (let step = 0; produced < tokens.length || !consumer.ended.has("a1"); step++) {
        if (step > 1000) throw new Error(`seed ${seed}: the consumer never got the end`);
        if (!stream || next() < 0.08) {
          // (Re)connect at the consumer's last id; a few live events may precede the snapshot.
          stream?.stop();
          const early = pending.filter(() => next() < 0.5);
          pending = [];
          stream = open(room, consumer, { lastEventId: consumer.lastId, early }).stream;
          await stream.idle();
        }
        if (produced < tokens.length) {
          const event = delta(room.delta("a1", tokens[produced++]!));
          if (next() < 0.8) stream.push(event); // else lost (a slow viewer skips deltas)
          if (next() < 0.1) stream.push(event); // duplicated
          if (next() < 0.2) pending.push(event);
        } else if (room.get("a1").status === "streaming") {
          const ended = end(room.end("a1"));
          if (next() < 0.7) stream.push(ended);
        } else {
          stream.stop();
          stream = undefined; // the end was lost: the next connection's snapshot has it
        }
        if (stream) await stream.idle();
      }
      expect(consumer.violations, `seed ${seed}`).toEqual([]);
      expect(consumer.texts.get("a1"), `seed ${seed}`).toBe(tokens.join(""));
      expect(
        consumer.named("message").filter((e) => (e.data as Message).id === "q1"),
        `seed ${seed}`,
      ).toHaveLength(1);
    }
  });
});
