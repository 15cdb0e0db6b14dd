/**
 * The LLM load rules through RoomService with memory ports and a scripted answer source: answers
 * started per client IP (ANSWERS_PER_IP_PER_MINUTE) and answers nobody watches (ABANDONED_ANSWER_GRACE_MS).
 */
import { describe, expect, it } from "vitest";
import type { EndEvent, JoinPayload } from "@tokencast/protocol";
import { MemoryDirectory } from "../store/memory-directory.ts";
import { MemoryLocks } from "../store/memory-locks.ts";
import { MemoryQueue } from "../store/memory-queue.ts";
import { MemoryRooms } from "../store/memory-rooms.ts";
import { MemorySlots } from "../store/memory-slots.ts";
import { MemoryStore } from "../store/memory-store.ts";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { AppError } from "./errors.ts";
import type { ActionBudget, AnswerEvent, AnswerRequest, AnswerSource, Broadcaster, Logger } from "./ports.ts";
import { RoomService } from "./room-service.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };

/** An upstream whose every answer streams one token, then waits until its request is aborted. */
function hangingSource(): AnswerSource & { requests: AnswerRequest[] } {
  const requests: AnswerRequest[] = [];
  return {
    model: "fake",
    demo: false,
    requests,
    async *stream(request): AsyncIterable<AnswerEvent> {
      requests.push(request);
      yield { type: "text", text: "partial" };
      await new Promise((resolve) => request.signal.addEventListener("abort", resolve, { once: true }));
    },
  };
}

/** A budget of `allowance` per key, forever (the real one refills per window). */
function budgetOf(allowance: number): ActionBudget & { spent: string[] } {
  const spent: string[] = [];
  return {
    spent,
    spend: async (key) => {
      spent.push(key);
      return spent.filter((k) => k === key).length > allowance ? 42_000 : undefined;
    },
  };
}

function service(options: { answers?: ActionBudget; graceMs?: number; maxRoomsPerConnection?: number } = {}) {
  let now = 1_000_000;
  const ends: EndEvent[] = [];
  const broadcaster = new Proxy({} as Broadcaster, {
    get: (_target, name) => (name === "end" ? (end: EndEvent) => ends.push(end) : () => Promise.resolve(0)),
  });
  const source = hangingSource();
  const store = new MemoryStore({ historyLimit: 50, idleTtlMs: 60_000 });
  const rooms = new RoomService({
    store,
    records: new MemoryRooms({ idleTtlMs: 60_000 }),
    queue: new MemoryQueue(),
    slots: new MemorySlots(0),
    locks: new MemoryLocks(),
    directory: new MemoryDirectory(),
    source,
    broadcaster,
    logger: quiet,
    buildTurns: () => [{ role: "user", content: "q" }],
    limits: {
      maxTextLength: 1000,
      coalesceMs: 0,
      coalesceMaxChars: 1000,
      maxMembersPerRoom: 100,
      maxRoomsPerNode: 100,
      maxRoomsPerConnection: options.maxRoomsPerConnection ?? 0,
      maxMembersPerIpPerRoom: 0,
      abandonedAnswerGraceMs: options.graceMs ?? 0,
    },
    budgets: { answers: options.answers },
    history: { maxBytes: 256 * 1024, maxMessages: 50 },
    now: () => now,
  });
  const join = async (connectionId: string, ip: string, payload: JoinPayload) => {
    rooms.connect(connectionId, ip);
    return rooms.join(connectionId, payload, await rooms.admit(payload));
  };
  const abandoned = rooms.upkeepTasks().find((task) => task.name === "abandoned answers")!;
  return {
    rooms,
    store,
    source,
    ends,
    join,
    checkAbandoned: () => abandoned.run(),
    advance: (ms: number) => (now += ms),
  };
}

async function refusal(attempt: Promise<unknown>): Promise<AppError> {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe("answers started per client IP (ANSWERS_PER_IP_PER_MINUTE)", () => {
  it("over the budget: rate_limited with retryAfter, nothing stored, no upstream request; another IP still asks", async () => {
    const budget = budgetOf(2);
    const s = service({ answers: budget });
    for (const room of ["r1", "r2", "r3"]) await s.join("c1", "203.0.113.7", { roomId: room, name: "Eve" });
    await s.rooms.send("c1", { roomId: "r1", text: "one" });
    await s.rooms.send("c1", { roomId: "r2", text: "two" });
    const error = await refusal(s.rooms.send("c1", { roomId: "r3", text: "three" }));
    expect(error.code).toBe("rate_limited");
    expect(error.retryAfter).toBe(42);
    expect(await s.store.listMessages("r3")).toEqual([]);
    expect(s.source.requests).toHaveLength(2);
    await s.join("c2", "198.51.100.1", { roomId: "r3", name: "Bob" });
    await s.rooms.send("c2", { roomId: "r3", text: "mine" });
    expect(budget.spent).toEqual(["203.0.113.7", "203.0.113.7", "203.0.113.7", "198.51.100.1"]);
  });

  it("a question to a busy room costs nothing; regenerate and a presenter's queue:send charge the asker's IP", async () => {
    const budget = budgetOf(10);
    const s = service({ answers: budget });
    await s.join("c1", "198.51.100.1", { roomId: "chat", name: "Ada" });
    const first = await s.rooms.send("c1", { roomId: "chat", text: "q" });
    expect((await refusal(s.rooms.send("c1", { roomId: "chat", text: "again" }))).code).toBe("busy");
    expect(budget.spent).toHaveLength(1);
    await s.rooms.stop("c1", { roomId: "chat", messageId: first.replyId });
    await waitFor(() => s.ends.length === 1, { what: "the first answer to end" });
    await s.rooms.regenerate("c1", { roomId: "chat", messageId: first.replyId });
    expect(budget.spent).toEqual(["198.51.100.1", "198.51.100.1"]);

    const talk = await s.rooms.createRoom({ title: "Talk", mode: "presentation" });
    const roomId = talk.info.id;
    await s.join("presenter", "198.51.100.50", { roomId, name: "Pia", key: talk.presenterKey });
    await s.join("audience", "198.51.100.60", { roomId, name: "Aud" });
    const { questionId } = await s.rooms.submitQuestion("audience", { roomId, text: "why?" });
    await s.rooms.sendQuestion("presenter", { roomId, questionId });
    expect(budget.spent.at(-1)).toBe("198.51.100.50");
  });

  it("a refused queue:send puts the question back", async () => {
    const s = service({ answers: budgetOf(0) });
    const talk = await s.rooms.createRoom({ title: "Talk", mode: "presentation" });
    const roomId = talk.info.id;
    await s.join("presenter", "198.51.100.50", { roomId, name: "Pia", key: talk.presenterKey });
    const { questionId } = await s.rooms.submitQuestion("presenter", { roomId, text: "why?" });
    expect((await refusal(s.rooms.sendQuestion("presenter", { roomId, questionId }))).code).toBe("rate_limited");
    expect(
      (
        await s.rooms.join(
          "presenter",
          { roomId, name: "Pia" },
          await s.rooms.admit({ roomId, name: "Pia", key: talk.presenterKey }),
        )
      ).queue,
    ).toHaveLength(1);
  });
});

describe("a join that fails after its limits were checked", () => {
  it("gives back the slots it held (a store failure does not use up a connection's rooms)", async () => {
    const s = service({ maxRoomsPerConnection: 1 });
    const pageMessages = s.store.pageMessages.bind(s.store);
    s.store.pageMessages = () => Promise.reject(new Error("store down"));
    await expect(s.join("c1", "198.51.100.1", { roomId: "r1", name: "Ada" })).rejects.toThrow("store down");
    s.store.pageMessages = pageMessages;
    await s.join("c1", "198.51.100.1", { roomId: "r1", name: "Ada" });
  });
});

describe("answers nobody watches (ABANDONED_ANSWER_GRACE_MS)", () => {
  it("an ad-hoc room's answer stops after the grace once its only viewer left: stopped, text kept, upstream aborted", async () => {
    const s = service({ graceMs: 30_000 });
    await s.join("c1", "198.51.100.1", { roomId: "adhoc", name: "Ada" });
    const { replyId } = await s.rooms.send("c1", { roomId: "adhoc", text: "long essay" });
    await waitFor(async () => (await s.store.getMessage("adhoc", replyId))?.text === "partial", {
      what: "the first token",
    });
    s.rooms.disconnect("c1");
    await s.checkAbandoned();
    s.advance(29_000);
    await s.checkAbandoned();
    expect(s.source.requests[0]!.signal.aborted).toBe(false);
    s.advance(1000);
    await s.checkAbandoned();
    expect(s.source.requests[0]!.signal.aborted).toBe(true);
    await waitFor(() => s.ends.length === 1, { what: "the answer to end" });
    expect(s.ends[0]).toMatchObject({ messageId: replyId, status: "stopped", stopReason: "nobody_watching" });
    expect(s.ends[0]!.stoppedBy).toBeUndefined();
    expect(await s.store.getMessage("adhoc", replyId)).toMatchObject({
      status: "stopped",
      stopReason: "nobody_watching",
      text: "partial",
    });
  });

  it("a created room's answer streams on for whoever comes back", async () => {
    const s = service({ graceMs: 1000 });
    const talk = await s.rooms.createRoom({ title: "Talk", mode: "chat" });
    await s.join("c1", "198.51.100.1", { roomId: talk.info.id, name: "Ada" });
    await s.rooms.send("c1", { roomId: talk.info.id, text: "q" });
    s.rooms.disconnect("c1");
    for (let i = 0; i < 3; i++) {
      await s.checkAbandoned();
      s.advance(5000);
    }
    expect(s.source.requests[0]!.signal.aborted).toBe(false);
    expect(s.ends).toEqual([]);
    await s.rooms.drain(0, "test over");
  });
});

describe("the node's upkeep tasks", () => {
  it("are named, with the intervals of their ports (memory: no heartbeat, no orphans) and of the grace", () => {
    const tasks = (graceMs: number) =>
      service({ graceMs })
        .rooms.upkeepTasks()
        .map(({ name, everyMs }) => [name, everyMs]);
    expect(tasks(30_000)).toEqual([
      ["orphaned answers", 0],
      ["heartbeat", 0],
      ["dead nodes' members", 0],
      ["abandoned answers", 1000],
    ]);
    expect(tasks(0).at(-1)).toEqual(["abandoned answers", 0]);
  });
});
