import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { connectRoom } from "./connect-room.ts";
import type { RoomClient } from "./room-client.ts";
import type { RoomEvents } from "./room-events.ts";
import { FakeRoomServer, until } from "./testing/fake-room-server.ts";
import { answer, question } from "./testing/test-messages.ts";

const FAST = { transports: ["websocket"], reconnectionDelay: 20, reconnectionDelayMax: 50 };

let server: FakeRoomServer;
const open: RoomClient[] = [];

beforeEach(async () => {
  server = await new FakeRoomServer().start();
});

afterEach(async () => {
  for (const room of open.splice(0)) room.close();
  await server.stop();
});

async function join(name = "ada", extra: { key?: string; token?: string } = {}): Promise<RoomClient> {
  const room = await connectRoom(server.url, { roomId: server.roomId, name, socketOptions: FAST, ...extra });
  open.push(room);
  return room;
}

/** Every value of `name` the room emits from now on. */
function record<K extends keyof RoomEvents>(room: RoomClient, name: K): Array<RoomEvents[K]> {
  const seen: Array<RoomEvents[K]> = [];
  room.on(name, (value) => seen.push(value));
  return seen;
}

/** Runs the iteration to its end in the background; `chunks` fills as it goes. */
function collect(iterable: AsyncIterable<string>): { chunks: string[]; done: Promise<unknown> } {
  const chunks: string[] = [];
  const done = (async () => {
    for await (const chunk of iterable) chunks.push(chunk);
  })().then(
    () => "ended",
    (error: unknown) => error,
  );
  return { chunks, done };
}

describe("connectRoom", () => {
  it("resolves joined, with the room's messages, and sends the key, token and role with the join", async () => {
    server.addMessage(question("q"));
    const room = await connectRoom(server.url, {
      roomId: server.roomId,
      name: "ada",
      role: "viewer",
      token: "t0ken",
      socketOptions: FAST,
    });
    open.push(room);
    expect(room.state).toBe("live");
    expect(room.messages.map((m) => m.id)).toEqual(["q"]);
    expect(server.joinPayloads.at(-1)).toEqual({ roomId: server.roomId, name: "ada", role: "viewer", token: "t0ken" });
  });

  it("rejects with the refusal when the join is refused for good", async () => {
    server.keys = { owner: "right" };
    const refused = await join("ada", { key: "wrong" }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: "RequestError", code: "forbidden", clientSide: false });
    expect(server.joins).toBe(0);
  });

  it("emits each delta exactly once and in order, gaps filled by resume", async () => {
    const room = await join();
    const deltas = record(room, "delta");
    const ends = record(room, "end");
    server.addMessage(answer("m"));
    await until(() => room.getMessage("m"), "the answer");
    for (let i = 1; i <= 30; i++) server.delta("m", `${i},`, i % 7 === 3 ? room.socket.id : undefined);
    server.end("m");
    await until(() => ends.length === 1, "the end");
    expect(deltas.map((d) => d.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(deltas.map((d) => d.text).join("")).toBe(room.getMessage("m")?.text);
    expect(ends[0]?.message).toMatchObject({ id: "m", status: "done", seq: 30 });
    expect(room.stats.resumes).toBeGreaterThan(0);
  });

  it("announces each answer once with `answer`, and emits `message` and `presence`", async () => {
    const room = await join();
    const answers = record(room, "answer");
    const messages = record(room, "message");
    const presence = record(room, "presence");
    server.addMessage(question("q", { createdAt: 1_000 }));
    server.addMessage(answer("a", { createdAt: 1_001 }));
    server.addMessage(answer("a", { createdAt: 1_001, queued: true }));
    await join("bob");
    await until(() => presence.length > 0 && messages.length === 3, "presence and messages");
    expect(answers.map((m) => m.id)).toEqual(["a"]);
    expect(messages.map((m) => m.id)).toEqual(["q", "a", "a"]);
    expect(
      presence
        .at(-1)
        ?.members?.map((m) => m.name)
        .sort(),
    ).toEqual(["ada", "bob"]);
  });

  it("a listener that throws is reported and does not stop the others or the room", async () => {
    const reported = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const room = await join();
    room.on("message", () => {
      throw new Error("listener bug");
    });
    const messages = record(room, "message");
    server.addMessage(question("q"));
    await until(() => messages.length === 1, "the message");
    expect(reported).toHaveBeenCalledWith("A Tokencast room listener failed", expect.any(Error));
    const unsubscribe = room.on("message", () => messages.push(question("never")));
    unsubscribe();
    server.addMessage(question("q2", { createdAt: 2_000 }));
    await until(() => room.getMessage("q2"), "the second message");
    expect(messages.map((m) => m.id)).toEqual(["q", "q2"]);
    reported.mockRestore();
  });
});

describe("room.answer(id)", () => {
  it("yields the text already there, then each delta, and finishes at the end", async () => {
    server.addMessage(answer("a"));
    server.delta("a", "Hello");
    const room = await join();
    const { chunks, done } = collect(room.answer("a"));
    await until(() => chunks.length === 1, "the text already there");
    server.delta("a", ", ");
    server.delta("a", "world");
    server.end("a");
    expect(await done).toBe("ended");
    expect(chunks).toEqual(["Hello", ", ", "world"]);
  });

  it("waits for an answer not known yet (the reply id of a send)", async () => {
    server.acceptSends = true;
    const room = await join();
    const { replyId } = await room.send("why?");
    const { chunks, done } = collect(room.answer(replyId));
    server.delta(replyId, "Be");
    server.delta(replyId, "cause.");
    server.end(replyId);
    expect(await done).toBe("ended");
    expect(chunks.join("")).toBe("Because.");
  });

  it("continues exactly across a reconnect whose snapshot brings what was missed", async () => {
    server.addMessage(answer("a"));
    const room = await join();
    const { chunks, done } = collect(room.answer("a"));
    server.delta("a", "one ");
    await until(() => chunks.length === 1, "the first delta");
    room.socket.io.engine.close();
    await until(() => room.state === "reconnecting", "reconnecting");
    server.delta("a", "two ");
    server.delta("a", "three ");
    await until(() => room.state === "live" && room.stats.joins === 2, "the rejoin");
    server.delta("a", "four");
    server.end("a");
    expect(await done).toBe("ended");
    expect(chunks.join("")).toBe("one two three four");
    expect(chunks).toContain("two three ");
  });

  it("throws AnswerError with the answer's error after its text when the answer failed", async () => {
    server.addMessage(answer("a"));
    const room = await join();
    const { chunks, done } = collect(room.answer("a"));
    server.delta("a", "par");
    server.end("a", { status: "error", error: { code: "upstream_timeout", message: "The model took too long." } });
    const failure = { name: "AnswerError", code: "upstream_timeout", answer: { id: "a", text: "par" } };
    expect(await done).toMatchObject(failure);
    expect(chunks).toEqual(["par"]);
  });

  it("throws not_in_room when the room closes before the answer ends", async () => {
    server.addMessage(answer("a"));
    const room = await join();
    const { done } = collect(room.answer("a"));
    server.delta("a", "x");
    await until(() => room.getMessage("a")?.seq === 1, "the delta");
    room.close();
    expect(await done).toMatchObject({ name: "RequestError", code: "not_in_room", clientSide: true });
    const late = collect(room.answer("a"));
    expect(await late.done).toMatchObject({ code: "not_in_room" });
    expect(late.chunks).toEqual(["x"]);
  });
});

describe("room.answers()", () => {
  it("yields the answer streaming at join, then each new one as it starts, and ends on close", async () => {
    server.addMessage(answer("a"));
    const room = await join();
    const seen: string[] = [];
    const done = (async () => {
      for await (const next of room.answers()) seen.push(next.id);
    })();
    await until(() => seen.length === 1, "the streaming answer");
    server.end("a");
    server.addMessage(answer("b", { createdAt: 2_000 }));
    server.addMessage(answer("c", { createdAt: 3_000, status: "done" }));
    server.addMessage(answer("d", { createdAt: 4_000, status: "pending" }));
    await until(() => seen.length === 3, "two new answers");
    room.close();
    await done;
    expect(seen).toEqual(["a", "b", "d"]);
  });
});

describe("members on demand", () => {
  it("fetchMembers pages after a cursor, and allMembers walks every page, each member once, in presence order", async () => {
    const rooms = [await join("ada")];
    for (const name of ["bo", "cy", "di", "ed"]) rooms.push(await join(name));
    const ada = rooms[0]!;
    const first = await ada.fetchMembers({ limit: 2 });
    expect(first).toMatchObject({ count: 5, roleCounts: { participant: 5 } });
    expect(first.members.map((m) => m.name)).toEqual(["ada", "bo"]);
    const second = await ada.fetchMembers({ after: first.next, limit: 2 });
    expect(second.members.map((m) => m.name)).toEqual(["cy", "di"]);
    const everyone: string[] = [];
    server.membersRequests.length = 0;
    for await (const member of ada.allMembers(2)) everyone.push(member.name);
    expect(everyone).toEqual(server.members.list().map((m) => m.name)); // the order by join time, then id
    expect(everyone.slice().sort()).toEqual(["ada", "bo", "cy", "di", "ed"]);
    expect(server.membersRequests.map((r) => r.limit)).toEqual([2, 2, 2]);
    expect(server.membersRequests.map((r) => r.after !== undefined)).toEqual([false, true, true]);
    await expect(ada.fetchMembers({ after: "nonsense" })).rejects.toMatchObject({ code: "invalid_payload" });
    ada.close();
    await expect(ada.fetchMembers()).rejects.toMatchObject({ code: "not_in_room", clientSide: true });
  });
});
