import { describe, expect, it } from "vitest";
import { RoomLog } from "./room-log.ts";
import type { LogAction } from "./room-log.ts";
import { answer, delta, end, question, textUpTo } from "./testing/test-messages.ts";

/** A log that has joined (applied a snapshot), so it may ask for resumes. */
function joined(...messages: Parameters<RoomLog["applySnapshot"]>[0]): RoomLog {
  const log = new RoomLog();
  log.beginJoin();
  log.applySnapshot(messages);
  return log;
}

function resumeOf(actions: LogAction[]): Extract<LogAction, { type: "resume" }> {
  const resume = actions.find((a) => a.type === "resume");
  if (resume?.type !== "resume") throw new Error(`expected a resume action, got ${JSON.stringify(actions)}`);
  return resume;
}

function feed(log: RoomLog, messageId: string, seqs: number[]): LogAction[] {
  return seqs.flatMap((seq) => log.applyDelta(delta(messageId, seq)));
}

describe("RoomLog deltas", () => {
  it("applies deltas in order", () => {
    const log = joined(answer("a"));
    expect(feed(log, "a", [1, 2, 3])).toEqual([]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(3), seq: 3, status: "streaming" });
    expect(log.stats.deltasApplied).toBe(3);
  });

  it("ignores duplicates and counts them", () => {
    const log = joined(answer("a"));
    feed(log, "a", [1, 2, 2, 1, 3, 3]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(3), seq: 3 });
    expect(log.stats.duplicatesIgnored).toBe(3);
  });

  it("asks for exactly one resume per gap, after the local seq", () => {
    const log = joined(answer("a"));
    feed(log, "a", [1, 2]);
    const first = log.applyDelta(delta("a", 5));
    expect(resumeOf(first)).toMatchObject({ messageId: "a", afterSeq: 2 });
    expect(feed(log, "a", [6, 7])).toEqual([]); // one resume in flight is enough
    expect(log.stats).toMatchObject({ gapsDetected: 1, resumes: 1 });
    expect(log.get("a")?.seq).toBe(2);
  });

  it("drains buffered deltas once the resume fills the gap", () => {
    const log = joined(answer("a"));
    feed(log, "a", [1]);
    const { requestId } = resumeOf(log.applyDelta(delta("a", 4)));
    feed(log, "a", [5, 6]);
    const after = log.applyResume(requestId, "a", {
      deltas: [delta("a", 2), delta("a", 3), delta("a", 4)],
      status: "streaming",
    });
    expect(after).toEqual([]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(6), seq: 6 });
    expect(log.isIncomplete("a")).toBe(false);
  });

  it("also drains when a late live delta fills the gap before the resume answers", () => {
    const log = joined(answer("a"));
    const { requestId } = resumeOf(log.applyDelta(delta("a", 2)));
    feed(log, "a", [1]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(2), seq: 2 });
    log.applyResume(requestId, "a", { deltas: [delta("a", 1), delta("a", 2)], status: "streaming" });
    expect(log.get("a")).toMatchObject({ text: textUpTo(2), seq: 2 });
  });

  it("buffers deltas that arrive before their message and applies them when it appears", () => {
    const log = joined();
    expect(feed(log, "a", [1, 2])).toEqual([]);
    expect(log.get("a")).toBeUndefined();
    log.applyMessage(answer("a"));
    expect(log.get("a")).toMatchObject({ text: textUpTo(2), seq: 2 });
  });

  it("buffers deltas that arrive before the join snapshot and keeps only what the snapshot lacks", () => {
    const log = new RoomLog();
    log.beginJoin();
    feed(log, "a", [3, 4]);
    const actions = log.applySnapshot([answer("a", { text: textUpTo(3), seq: 3 })]);
    expect(actions).toEqual([]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(4), seq: 4 });
  });

  it("retries after a failed resume and ignores the answer to a superseded request", () => {
    const log = joined(answer("a"));
    const first = resumeOf(log.applyDelta(delta("a", 3)));
    expect(log.resumeFailed(first.requestId, "a")).toBe(true);
    const second = resumeOf(log.retry("a"));
    expect(second).toMatchObject({ afterSeq: 0 });
    expect(second.requestId).not.toBe(first.requestId);
    expect(log.resumeFailed(first.requestId, "a")).toBe(false);
    log.applyResume(second.requestId, "a", {
      deltas: [delta("a", 1), delta("a", 2), delta("a", 3)],
      status: "streaming",
    });
    expect(log.get("a")).toMatchObject({ text: textUpTo(3), seq: 3 });
  });

  it("asks for a resync when the server's log cannot fill the gap", () => {
    const log = joined(answer("a"));
    const { requestId } = resumeOf(log.applyDelta(delta("a", 9)));
    // The log was trimmed: it only has deltas from 8 on.
    const actions = log.applyResume(requestId, "a", { deltas: [delta("a", 8), delta("a", 9)], status: "streaming" });
    expect(actions).toEqual([{ type: "resync", messageId: "a" }]);
    // The snapshot of the resync brings the text; buffered deltas then apply.
    log.beginJoin();
    log.applySnapshot([answer("a", { text: textUpTo(7), seq: 7 })]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(9), seq: 9 });
  });

  it("appends reasoning apart from the text", () => {
    const log = joined(answer("a"));
    log.applyReasoning({ roomId: "test-room", messageId: "a", text: "hmm " });
    log.applyReasoning({ roomId: "test-room", messageId: "a", text: "ok" });
    expect(log.get("a")).toMatchObject({ reasoning: "hmm ok", text: "" });
  });
});

describe("RoomLog end", () => {
  it("finalizes at once when every delta is here", () => {
    const log = joined(answer("a"));
    feed(log, "a", [1, 2]);
    expect(log.applyEnd(end("a", 2, { status: "stopped", stoppedBy: "bob", finishReason: undefined }))).toEqual([]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(2), seq: 2, status: "stopped", stoppedBy: "bob" });
  });

  it("resumes the missing deltas before finalizing an end with a higher seq", () => {
    const log = joined(answer("a"));
    feed(log, "a", [1]);
    const error = { code: "upstream_truncated" as const, message: "cut" };
    const { afterSeq, requestId } = resumeOf(log.applyEnd(end("a", 3, { status: "error", error })));
    expect(afterSeq).toBe(1);
    expect(log.get("a")?.status).toBe("streaming");
    log.applyResume(requestId, "a", { deltas: [delta("a", 2), delta("a", 3)], status: "error" });
    expect(log.get("a")).toMatchObject({ text: textUpTo(3), seq: 3, status: "error", error });
  });

  it("holds an end that arrives before its message", () => {
    const log = joined();
    log.applyEnd(end("a", 2));
    log.applyMessage(answer("a", { text: textUpTo(2), seq: 2 }));
    expect(log.get("a")).toMatchObject({ status: "done", finishReason: "stop" });
  });

  it("waits for the chat:end when a resume reports the answer over", () => {
    const log = joined(answer("a"));
    const { requestId } = resumeOf(log.applyDelta(delta("a", 2)));
    const actions = log.applyResume(requestId, "a", { deltas: [delta("a", 1), delta("a", 2)], status: "done" });
    expect(actions).toEqual([{ type: "expect-end", messageId: "a" }]);
    expect(log.get("a")?.status).toBe("streaming");
    log.applyEnd(end("a", 2));
    expect(log.get("a")).toMatchObject({ status: "done", text: textUpTo(2) });
  });

  it("ignores deltas after the end", () => {
    const log = joined(answer("a"));
    feed(log, "a", [1]);
    log.applyEnd(end("a", 1));
    expect(feed(log, "a", [1, 2])).toEqual([]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(1), status: "done" });
  });
});

describe("RoomLog snapshots and reconnects", () => {
  it("makes no resume request while offline, and asks after the next snapshot", () => {
    const log = joined(answer("a"));
    feed(log, "a", [1]);
    log.goOffline();
    expect(feed(log, "a", [4])).toEqual([]);
    log.beginJoin();
    const actions = log.applySnapshot([answer("a", { text: textUpTo(2), seq: 2 })]);
    expect(resumeOf(actions)).toMatchObject({ afterSeq: 2 });
  });

  it("continues a streaming answer from the snapshot after a reconnect, without duplicates", () => {
    const log = joined(question("q"), answer("a", { createdAt: 1_001 }));
    feed(log, "a", [1, 2]);
    log.goOffline();
    log.beginJoin();
    log.applySnapshot([question("q"), answer("a", { text: textUpTo(5), seq: 5, createdAt: 1_001 })]);
    feed(log, "a", [4, 5, 6]);
    expect(log.list().map((m) => m.id)).toEqual(["q", "a"]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(6), seq: 6 });
    expect(log.stats.duplicatesIgnored).toBe(2);
  });

  it("keeps local text that is ahead of the snapshot", () => {
    const log = joined(answer("a"));
    log.beginJoin();
    feed(log, "a", [1, 2, 3]);
    log.applySnapshot([answer("a", { text: textUpTo(2), seq: 2 })]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(3), seq: 3 });
  });

  it("keeps an end that arrived after the snapshot was read", () => {
    const log = joined(answer("a"));
    log.beginJoin();
    feed(log, "a", [1]);
    log.applyEnd(end("a", 1));
    log.applySnapshot([answer("a", { text: textUpTo(1), seq: 1, status: "streaming" })]);
    expect(log.get("a")).toMatchObject({ status: "done", finishReason: "stop" });
  });

  it("takes a final status from the snapshot and drops what is pending for it", () => {
    const log = joined(answer("a"));
    feed(log, "a", [1]);
    log.goOffline();
    feed(log, "a", [3]);
    log.beginJoin();
    const actions = log.applySnapshot([answer("a", { text: textUpTo(4), seq: 4, status: "interrupted" })]);
    expect(actions).toEqual([]);
    expect(log.get("a")).toMatchObject({ text: textUpTo(4), status: "interrupted" });
  });

  it("drops messages the snapshot lacks unless they arrived during the join", () => {
    const log = joined(question("old", { createdAt: 1 }), question("gone", { createdAt: 2 }));
    log.beginJoin();
    log.applyMessage(question("new", { createdAt: 9 }));
    log.applySnapshot([question("old", { createdAt: 1 })]);
    expect(log.list().map((m) => m.id)).toEqual(["old", "new"]);
  });

  it("never duplicates a message seen both live and in the snapshot", () => {
    const log = new RoomLog();
    log.beginJoin();
    log.applyMessage(question("q", { createdAt: 5 }));
    log.applyMessage(answer("a", { createdAt: 5 }));
    log.applySnapshot([question("q", { createdAt: 5 }), answer("a", { createdAt: 5 })]);
    log.applyMessage(answer("a", { createdAt: 5 }));
    expect(log.list().map((m) => m.id)).toEqual(["q", "a"]);
  });

  it("orders live messages by createdAt, then arrival", () => {
    const log = joined(question("q1", { createdAt: 10 }));
    log.applyMessage(question("q3", { createdAt: 30 }));
    log.applyMessage(question("q2", { createdAt: 20 }));
    log.applyMessage(answer("a2", { createdAt: 20 }));
    expect(log.list().map((m) => m.id)).toEqual(["q1", "q2", "a2", "q3"]);
  });

  it("returns the same list until something changes", () => {
    const log = joined(answer("a"));
    const before = log.list();
    expect(log.list()).toBe(before);
    feed(log, "a", [1]);
    expect(log.list()).not.toBe(before);
  });
});

describe("RoomLog older history", () => {
  const ids = (log: RoomLog) => log.list().map((m) => m.id);

  it("puts a page of older history in front, skipping messages it holds", () => {
    const log = joined(question("c"), answer("d", { status: "done" }));
    expect(log.prependOlder("c", [question("a"), answer("b", { status: "done" }), question("c")])).toBe(true);
    expect(ids(log)).toEqual(["a", "b", "c", "d"]);
    expect(log.prependOlder("a", [])).toBe(true);
    expect(ids(log)).toEqual(["a", "b", "c", "d"]);
  });

  it("refuses a page that no longer ends at its oldest message", () => {
    const log = joined(question("c"), answer("d", { status: "done" }));
    const before = log.list();
    expect(log.prependOlder("d", [question("a")])).toBe(false);
    expect(log.list()).toBe(before);
  });

  it("keeps older history a new snapshot continues, and drops it when the snapshot does not overlap", () => {
    const log = joined(question("c"), answer("d", { status: "done" }));
    log.prependOlder("c", [question("a"), answer("b", { status: "done" })]);
    log.beginJoin();
    log.applySnapshot([question("c"), answer("d", { status: "done" }), question("e")]);
    expect(ids(log)).toEqual(["a", "b", "c", "d", "e"]);
    expect(log.olderKept).toBe(2);
    log.beginJoin();
    log.applySnapshot([question("x"), answer("y")]);
    expect(ids(log)).toEqual(["x", "y"]);
    expect(log.olderKept).toBe(0);
  });
});
