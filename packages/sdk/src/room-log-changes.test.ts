/**
 * The changes a RoomLog reports, checked as a property: whatever order, duplication or loss the
 * live events, snapshots and resume answers come with, a consumer that applies only the changes
 * holds exactly what `list()` holds, never sees a delta twice or out of order, and ends with the
 * server's texts once everything is delivered.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFinalStatus } from "@tokencast/protocol";
import type { DeltaEvent, EndEvent, Message, ResumeResult } from "@tokencast/protocol";
import { sameMessage } from "./message-merge.ts";
import { RoomLog } from "./room-log.ts";
import type { LogAction, LogChange } from "./room-log.ts";
import { answer, end, question } from "./testing/test-messages.ts";

type Live =
  { type: "message"; message: Message } | { type: "delta"; delta: DeltaEvent } | { type: "end"; end: EndEvent };

/** The server side: a scripted room (two questions and their answers, the second one queued first). */
class ScriptedRoom {
  readonly messages = new Map<string, Message>();
  private readonly logs = new Map<string, DeltaEvent[]>();
  private readonly script: Array<() => Live>;

  constructor(firstDeltas: number, secondDeltas: number, secondEnd: EndEvent["status"]) {
    this.script = [
      () => this.create(question("q1", { createdAt: 1 })),
      () => this.create(answer("a1", { createdAt: 2 })),
      () => this.create(question("q2", { createdAt: 3 })),
      () => this.create(answer("a2", { createdAt: 4, status: "pending", queued: true })),
      ...this.deltas("a1", firstDeltas),
      () => this.finish("a1", "done"),
      () => this.create(answer("a2", { createdAt: 4 })),
      ...this.deltas("a2", secondDeltas),
      () => this.finish("a2", secondEnd),
    ];
  }

  get over(): boolean {
    return this.script.length === 0;
  }

  /** The next live event, with the room's state updated. */
  advance(): Live | undefined {
    return this.script.shift()?.();
  }

  snapshot(): Message[] {
    return structuredClone([...this.messages.values()]);
  }

  /** `chat:resume`; a trimmed log has lost the delta right after `afterSeq`. */
  resume(messageId: string, afterSeq: number, trimmed: boolean): ResumeResult {
    const deltas = (this.logs.get(messageId) ?? []).filter((d) => d.seq > afterSeq + (trimmed ? 1 : 0));
    const status = this.messages.get(messageId)?.status ?? "streaming";
    return { deltas: structuredClone(deltas.map(({ seq, text }) => ({ seq, text }))), status };
  }

  private create(message: Message): Live {
    this.messages.set(message.id, message);
    this.logs.set(message.id, []);
    return { type: "message", message: structuredClone(message) };
  }

  private deltas(messageId: string, count: number): Array<() => Live> {
    return Array.from({ length: count }, () => () => {
      const message = this.messages.get(messageId)!;
      const seq = message.seq + 1;
      const delta: DeltaEvent = { roomId: message.roomId, messageId, seq, text: `${messageId}.${seq} ` };
      Object.assign(message, { seq: delta.seq, text: message.text + delta.text });
      this.logs.get(messageId)!.push(delta);
      return { type: "delta", delta: structuredClone(delta) };
    });
  }

  private finish(messageId: string, status: EndEvent["status"]): Live {
    const message = this.messages.get(messageId)!;
    const ended = end(messageId, message.seq, { status });
    Object.assign(message, { status, finishReason: ended.finishReason });
    return { type: "end", end: ended };
  }
}

/** A consumer that knows only the changes: message sets, delta appends, end sets final. */
class ChangeConsumer {
  readonly view = new Map<string, Message>();
  readonly violations: string[] = [];

  /** `keepsTexts`: the log's `end` changes carry the text (to check against the one built). */
  constructor(private readonly keepsTexts: boolean) {}

  apply(change: LogChange): void {
    if (change.type === "message") this.set(change.message);
    if (change.type === "delta") this.append(change);
    if (change.type === "end") this.end(change.message);
  }

  private set(message: Message): void {
    const held = this.view.get(message.id);
    if (held && sameMessage(held, message)) this.violations.push(`${message.id} reported again unchanged`);
    this.view.set(message.id, structuredClone(message));
  }

  private append({ messageId, seq, text }: { messageId: string; seq: number; text: string }): void {
    const held = this.view.get(messageId);
    if (held?.seq !== seq - 1) this.violations.push(`delta ${messageId}:${seq} after ${held?.seq}`);
    if (held) Object.assign(held, { text: held.text + text, seq });
  }

  private end(message: Message): void {
    const held = this.view.get(message.id);
    if (!held) return void this.violations.push(`end of ${message.id}, never set`);
    if (this.keepsTexts && held.text !== message.text) this.violations.push(`end of ${message.id} over another text`);
    if (isFinalStatus(held.status)) this.violations.push(`second end of ${message.id}`);
    this.view.set(message.id, { ...structuredClone(message), text: held.text });
  }
}

type Command =
  | { kind: "produce" }
  | { kind: "deliver"; pick: number; keep: boolean }
  | { kind: "drop"; pick: number }
  | { kind: "answer"; pick: number; trimmed: boolean }
  | { kind: "fail"; pick: number }
  | { kind: "reconnect" }
  /** The server reads the snapshot of the join in flight; it reaches the client at `snapshot`. */
  | { kind: "read" }
  | { kind: "snapshot" };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant({ kind: "produce" as const }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("deliver" as const), pick: fc.nat(), keep: fc.boolean() }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant("drop" as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("answer" as const), pick: fc.nat(), trimmed: fc.boolean() }), weight: 2 },
  fc.record({ kind: fc.constant("fail" as const), pick: fc.nat() }),
  fc.constant({ kind: "reconnect" as const }),
  fc.constant({ kind: "read" as const }),
  fc.constant({ kind: "snapshot" as const }),
);

type Resume = Extract<LogAction, { type: "resume" }>;

/** The connection around the log: events in transit, resumes in flight, a join waiting for its snapshot. */
class World {
  readonly consumer: ChangeConsumer;
  readonly log: RoomLog;
  private inTransit: Live[] = [];
  private resumes: Resume[] = [];
  private joining = true;
  /** The snapshot the server read for the join in flight, not applied yet. */
  private read: Message[] | undefined;

  /**
   * `catchUp`: as an SSE stream does, the log keeps no texts and a snapshot is walked message by
   * message (`catchUp`); otherwise as the web client does (`applySnapshot`).
   */
  constructor(
    readonly room: ScriptedRoom,
    readonly catchUp: boolean,
  ) {
    this.consumer = new ChangeConsumer(!catchUp);
    this.log = new RoomLog({ keepTexts: !catchUp, onChange: (change) => this.consumer.apply(change) });
    this.log.beginJoin();
  }

  run(step: Command): void {
    if (step.kind === "produce") this.produce();
    if (step.kind === "deliver") this.deliver(step.pick, step.keep);
    if (step.kind === "drop") this.inTransit.splice(step.pick % Math.max(1, this.inTransit.length), 1);
    if (step.kind === "answer") this.answer(step.pick, step.trimmed);
    if (step.kind === "fail") this.fail(step.pick);
    if (step.kind === "reconnect") this.reconnect();
    if (step.kind === "read" && this.joining) this.read ??= this.room.snapshot();
    if (step.kind === "snapshot") this.snapshot();
  }

  /**
   * Everything delivered and answered, one more join (a lost `chat:message` is only healed by a
   * snapshot), stalled answers probed: the log must reach the server's state.
   */
  finish(): void {
    while (!this.room.over) this.produce();
    while (this.inTransit.length > 0) this.deliver(0, false);
    this.rejoin();
    for (let round = 0; round < 20; round++) {
      this.snapshot();
      while (this.resumes.length > 0) this.answer(0, false);
      const stalled = this.log.list().filter((m) => m.status === "streaming" || m.status === "pending");
      if (stalled.length === 0) return;
      for (const message of stalled) this.act(this.log.probe(message.id));
    }
  }

  private produce(): void {
    const event = this.room.advance();
    if (event) this.inTransit.push(event);
  }

  private deliver(pick: number, keep: boolean): void {
    const index = pick % this.inTransit.length;
    const event = this.inTransit[index];
    if (!event) return;
    if (!keep) this.inTransit.splice(index, 1);
    if (event.type === "message") this.act(this.log.applyMessage(structuredClone(event.message)));
    if (event.type === "delta") this.act(this.log.applyDelta(event.delta));
    if (event.type === "end") this.act(this.log.applyEnd(event.end));
  }

  private answer(pick: number, trimmed: boolean): void {
    const resume = this.resumes.splice(pick % Math.max(1, this.resumes.length), 1)[0];
    if (!resume) return;
    const result = this.room.resume(resume.messageId, resume.afterSeq, trimmed);
    this.act(this.log.applyResume(resume.requestId, resume.messageId, result));
  }

  private fail(pick: number): void {
    const resume = this.resumes.splice(pick % Math.max(1, this.resumes.length), 1)[0];
    if (resume && this.log.resumeFailed(resume.requestId, resume.messageId)) this.act(this.log.retry(resume.messageId));
  }

  private reconnect(): void {
    this.log.goOffline();
    this.resumes = [];
    this.rejoin();
  }

  private snapshot(): void {
    if (!this.joining) return;
    const snapshot = this.read ?? this.room.snapshot();
    this.joining = false;
    this.read = undefined;
    if (!this.catchUp) return this.act(this.log.applySnapshot(snapshot));
    for (const message of snapshot) this.act(this.log.catchUp(message));
  }

  private act(actions: LogAction[]): void {
    for (const action of actions) {
      if (action.type === "resume") this.resumes.push(action);
      // Both are answered by a fresh snapshot (the connection's timer, for expect-end).
      if (action.type === "resync" || action.type === "expect-end") this.rejoin();
    }
  }

  /** A join (again): its snapshot is read by the server later, or at the latest when it arrives. */
  private rejoin(): void {
    this.log.beginJoin();
    this.joining = true;
    this.read = undefined;
  }
}

/** The rule: an answer's text is its deltas 1..seq. */
function expectTextOfSeq({ id, role, text, seq }: Message): void {
  let expected = "";
  for (let n = 1; n <= seq; n++) expected += `${id}.${n} `;
  if (role === "assistant") expect(text, id).toBe(expected);
}

/** Checks the consumer's view against the log's (when it keeps texts), and the texts against the rule. */
function expectConsistent(world: World): void {
  expect(world.consumer.violations).toEqual([]);
  for (const message of world.consumer.view.values()) expectTextOfSeq(message);
  if (world.catchUp) return;
  for (const message of world.log.list()) expect(world.consumer.view.get(message.id)).toEqual(message);
}

/** Once everything is delivered: the consumer holds the server's texts and statuses. */
function expectFinal(world: World): void {
  const summary = (m: Message) => ({ id: m.id, text: m.text, status: m.status });
  const server = [...world.room.messages.values()].map(summary);
  if (!world.catchUp) expect(world.log.list().map(summary)).toEqual(server);
  expect(server.map(({ id }) => world.consumer.view.get(id)).map((m) => m && summary(m))).toEqual(server);
}

const scenario = fc.record({
  firstDeltas: fc.integer({ min: 0, max: 6 }),
  secondDeltas: fc.integer({ min: 0, max: 6 }),
  secondEnd: fc.constantFrom("done" as const, "stopped" as const, "error" as const),
  commands: fc.array(command, { maxLength: 80 }),
});

describe("RoomLog changes", () => {
  const property = (catchUp: boolean) =>
    fc.property(scenario, ({ firstDeltas, secondDeltas, secondEnd, commands }) => {
      const world = new World(new ScriptedRoom(firstDeltas, secondDeltas, secondEnd), catchUp);
      for (const step of commands) {
        world.run(step);
        expectConsistent(world);
      }
      world.finish();
      expectConsistent(world);
      expectFinal(world);
    });

  it("rebuild list() exactly, in order and without duplicates, whatever the delivery", () => {
    fc.assert(property(false), { numRuns: 500 });
  });

  it("without texts, snapshots caught up message by message: the consumer still builds the server's texts", () => {
    fc.assert(property(true), { numRuns: 500 });
  });

  it("reports a re-sent message only when it changed", () => {
    const changes: LogChange[] = [];
    const log = new RoomLog({ onChange: (change) => changes.push(change) });
    log.beginJoin();
    log.applySnapshot([question("q1")]);
    log.applyMessage(question("q1"));
    log.applySnapshot([question("q1")]);
    log.applyMessage(question("q1", { text: "edited" }));
    expect(changes.map((c) => (c.type === "message" ? c.message.text : c.type))).toEqual(["hi?", "edited"]);
  });

  it("reports an end once, and no end for a message that was already final", () => {
    const changes: LogChange[] = [];
    const log = new RoomLog({ onChange: (change) => changes.push(change) });
    log.beginJoin();
    log.applySnapshot([answer("a"), answer("b", { status: "done", finishReason: "stop" })]);
    log.applyEnd(end("a", 0));
    log.applyEnd(end("a", 0));
    log.applyEnd(end("b", 0));
    expect(changes.map((c) => [c.type, c.type === "end" ? c.end.messageId : ""])).toEqual([
      ["message", ""],
      ["message", ""],
      ["end", "a"],
    ]);
  });
});
