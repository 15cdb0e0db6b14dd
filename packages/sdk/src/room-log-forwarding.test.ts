/** RoomLog for a consumer that builds texts itself (an SSE stream): no texts kept, snapshots caught up. */
import { describe, expect, it } from "vitest";
import { RoomLog } from "./room-log.ts";
import type { LogAction, LogChange } from "./room-log.ts";
import { MAX_FINISHED_IDS } from "./message-store.ts";
import { answer, delta, end, question, textUpTo } from "./testing/test-messages.ts";

function forwarding(): { log: RoomLog; changes: LogChange[] } {
  const changes: LogChange[] = [];
  return { log: new RoomLog({ keepTexts: false, onChange: (change) => changes.push(change) }), changes };
}

/** A change in short: `message a:2 "t1 t2 "`, `delta a:3`, `end a`. */
function short(change: LogChange): string {
  if (change.type === "message") return `message ${change.message.id}:${change.message.seq} "${change.message.text}"`;
  if (change.type === "delta") return `delta ${change.messageId}:${change.seq}`;
  if (change.type === "end") return `end ${change.end.messageId}`;
  return `reasoning ${change.messageId}`;
}

function resumeOf(actions: LogAction[]): Extract<LogAction, { type: "resume" }> {
  const resume = actions.find((a) => a.type === "resume");
  if (resume?.type !== "resume") throw new Error(`expected a resume action, got ${JSON.stringify(actions)}`);
  return resume;
}

describe("RoomLog without texts", () => {
  it("keeps messages in progress without text, and of finished ones only the id: what comes late is dropped", () => {
    const { log, changes } = forwarding();
    log.catchUp(answer("a"));
    for (const seq of [1, 2]) log.applyDelta(delta("a", seq));
    log.applyReasoning({ roomId: "test-room", messageId: "a", text: "hmm" });
    expect(log.list()).toEqual([answer("a", { seq: 2 })]);
    log.applyEnd(end("a", 2));
    expect(log.list()).toEqual([]);
    log.applyDelta(delta("a", 2));
    log.applyEnd(end("a", 2));
    log.applyMessage(answer("a", { text: textUpTo(2), seq: 2, status: "done" }));
    log.catchUp(answer("a", { text: textUpTo(2), seq: 2, status: "done" }));
    expect(changes.map(short)).toEqual(['message a:0 ""', "delta a:1", "delta a:2", "reasoning a", "end a"]);
    expect(log.stats.duplicatesIgnored).toBe(1);
  });

  it("reports a copy of a message in progress with its text, once, and ignores a copy behind the one held", () => {
    const { log, changes } = forwarding();
    log.catchUp(answer("a", { status: "pending", queued: true }));
    log.applyMessage(answer("a", { text: textUpTo(2), seq: 2 }));
    log.applyMessage(answer("a", { text: textUpTo(2), seq: 2 }));
    log.applyMessage(answer("a", { status: "pending", queued: true }));
    expect(changes.map(short)).toEqual(['message a:0 ""', `message a:2 "${textUpTo(2)}"`]);
  });

  it("forgets the oldest finished ids past MAX_FINISHED_IDS: such a message counts as new again", () => {
    const { log, changes } = forwarding();
    for (let i = 0; i <= MAX_FINISHED_IDS; i++) log.catchUp(question(`q${i}`));
    changes.length = 0;
    log.catchUp(question(`q${MAX_FINISHED_IDS}`));
    log.catchUp(question("q0"));
    expect(changes.map(short)).toEqual(['message q0:0 "hi?"']);
  });
});

describe("RoomLog.catchUp", () => {
  it("reaches a held answer that the snapshot shows ahead through the log's deltas, then ends it", () => {
    const { log, changes } = forwarding();
    log.catchUp(answer("a"));
    log.applyDelta(delta("a", 1));
    const ahead = answer("a", { text: textUpTo(3), seq: 3, status: "done", finishReason: "stop" });
    const resume = resumeOf(log.catchUp(ahead));
    expect(resume).toMatchObject({ messageId: "a", afterSeq: 1 });
    const after = log.applyResume(resume.requestId, "a", { deltas: [delta("a", 2), delta("a", 3)], status: "done" });
    expect(after).toEqual([]);
    expect(changes.map(short)).toEqual(['message a:0 ""', "delta a:1", "delta a:2", "delta a:3", "end a"]);
    expect(changes.at(-1)).toMatchObject({ end: { messageId: "a", seq: 3, status: "done", finishReason: "stop" } });
  });

  it("takes the snapshot's copy whole when the log cannot fill the gap, and asks for no fresh snapshot", () => {
    const { log, changes } = forwarding();
    log.catchUp(answer("a"));
    const resume = resumeOf(log.catchUp(answer("a", { text: textUpTo(3), seq: 3 })));
    expect(log.applyResume(resume.requestId, "a", { deltas: [], status: "streaming" })).toEqual([]);
    log.applyDelta(delta("a", 4));
    expect(changes.map(short)).toEqual(['message a:0 ""', `message a:3 "${textUpTo(3)}"`, "delta a:4"]);
  });

  it("ends a held answer that the snapshot shows over at the same seq, and ignores a copy behind it", () => {
    const { log, changes } = forwarding();
    log.catchUp(answer("a"));
    log.catchUp(answer("b"));
    log.applyDelta(delta("a", 1));
    expect(log.catchUp(answer("a", { text: textUpTo(1), seq: 1, status: "stopped" }))).toEqual([]);
    expect(log.catchUp(answer("b", { seq: 0, status: "streaming", model: "changed" }))).toEqual([]);
    log.applyDelta(delta("b", 1));
    expect(log.catchUp(answer("b"))).toEqual([]);
    const expected = ['message a:0 ""', 'message b:0 ""', "delta a:1", "end a", 'message b:0 ""', "delta b:1"];
    expect(changes.map(short)).toEqual(expected);
  });
});

describe("RoomLog.assume", () => {
  it("holds what the consumer already has without reporting it; a snapshot then brings only what follows", () => {
    const { log, changes } = forwarding();
    log.assume(question("q"));
    log.assume(answer("a", { seq: 2 }));
    log.catchUp(question("q"));
    const resume = resumeOf(log.catchUp(answer("a", { text: textUpTo(4), seq: 4 })));
    expect(resume.afterSeq).toBe(2);
    log.applyResume(resume.requestId, "a", { deltas: [delta("a", 3), delta("a", 4)], status: "streaming" });
    expect(changes.map(short)).toEqual(["delta a:3", "delta a:4"]);
  });
});
