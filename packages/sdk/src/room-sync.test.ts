import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RoomSync } from "./room-sync.ts";
import { RequestError } from "./socket-request.ts";
import { FakeRoomServer, until } from "./testing/fake-room-server.ts";
import { answer, question } from "./testing/test-messages.ts";

const FAST = { transports: ["websocket"], reconnectionDelay: 20, reconnectionDelayMax: 50 };

let server: FakeRoomServer;
const open: RoomSync[] = [];

beforeEach(async () => {
  server = await new FakeRoomServer().start();
});

afterEach(async () => {
  for (const connection of open.splice(0)) connection.close();
  await server.stop();
});

async function live(name = "ada"): Promise<RoomSync> {
  const connection = new RoomSync({ url: server.url, roomId: server.roomId, name, socketOptions: FAST });
  open.push(connection);
  connection.connect();
  await until(() => connection.state === "live", `${name} to be live`);
  return connection;
}

describe("RoomSync", () => {
  it("joins, takes the snapshot and notifies subscribers", async () => {
    server.addMessage(question("q"));
    server.addMessage(answer("a", { createdAt: 1_001 }));
    server.delta("a", "Hello");
    const connection = new RoomSync({ url: server.url, roomId: server.roomId, name: "ada", socketOptions: FAST });
    open.push(connection);
    let calls = 0;
    connection.subscribe(() => calls++);
    expect(connection.state).toBe("connecting");
    connection.connect();
    await until(() => connection.state === "live", "live");
    expect(connection.room).toMatchObject({ model: "fake", demo: true });
    expect(connection.self?.name).toBe("ada");
    expect(connection.messages.map((m) => [m.id, m.text])).toEqual([
      ["q", "hi?"],
      ["a", "Hello"],
    ]);
    expect(connection.stats.joins).toBe(1);
    await until(() => calls > 0, "a notification");
  });

  it("keeps its listed members when a presence event carries only counts (a large room), and takes a new list", async () => {
    const ada = await live("ada");
    await live("bob");
    await until(() => ada.memberCount === 2 && ada.members.length === 2, "both listed");
    const roleCounts = { owner: 0, presenter: 0, participant: 0, viewer: 0 };
    server.io.to(server.roomId).emit("room:presence", { roomId: server.roomId, count: 500, roleCounts });
    await until(() => ada.memberCount === 500, "the count alone");
    expect(ada.members.map((m) => m.name)).toEqual(["ada", "bob"]);
    const bob = ada.members[1]!;
    server.io
      .to(server.roomId)
      .emit("room:presence", { roomId: server.roomId, members: [bob], count: 499, roleCounts });
    await until(() => ada.memberCount === 499, "a new list");
    expect(ada.members).toEqual([bob]);
  });

  it("follows live deltas and the end", async () => {
    const connection = await live();
    server.addMessage(answer("a"));
    server.delta("a", "one ");
    server.delta("a", "two");
    server.end("a", { finishReason: "stop" });
    const message = await until(
      () => connection.getMessage("a")?.status === "done" && connection.getMessage("a"),
      "end",
    );
    expect(message).toMatchObject({ text: "one two", seq: 2, finishReason: "stop" });
  });

  it("fills a lost delta with one resume", async () => {
    const connection = await live();
    server.addMessage(answer("a"));
    server.delta("a", "one ");
    await until(() => connection.getMessage("a")?.seq === 1, "first delta");
    server.delta("a", "two ", connection.socket.id);
    server.delta("a", "three");
    await until(() => connection.getMessage("a")?.seq === 3, "gap filled");
    expect(connection.getMessage("a")?.text).toBe("one two three");
    expect(server.resumeRequests).toEqual([{ roomId: server.roomId, messageId: "a", afterSeq: 1 }]);
    expect(connection.stats).toMatchObject({ gapsDetected: 1, resumes: 1 });
  });

  it("resumes before finalizing an end whose seq is ahead", async () => {
    const connection = await live();
    server.addMessage(answer("a"));
    server.delta("a", "one ", connection.socket.id);
    server.delta("a", "two", connection.socket.id);
    server.end("a", { status: "stopped", stoppedBy: "bob" });
    const message = await until(
      () => connection.getMessage("a")?.status === "stopped" && connection.getMessage("a"),
      "end",
    );
    expect(message).toMatchObject({ text: "one two", seq: 2, stoppedBy: "bob" });
  });

  it("retries a failed resume", async () => {
    const connection = await live();
    server.addMessage(answer("a"));
    server.resumeFailures.push({ code: "internal_error", message: "store down" });
    server.delta("a", "one ", connection.socket.id);
    server.delta("a", "two");
    await until(() => connection.getMessage("a")?.seq === 2, "gap filled after a retry");
    expect(connection.getMessage("a")?.text).toBe("one two");
    expect(server.resumeRequests).toHaveLength(2);
  });

  it("rejoins after a drop and continues a streaming answer without duplicates", async () => {
    const connection = await live();
    server.addMessage(question("q"));
    server.addMessage(answer("a", { createdAt: 1_001 }));
    server.delta("a", "one ");
    await until(() => connection.getMessage("a")?.seq === 1, "first delta");
    const states: string[] = [];
    connection.subscribe(() => states.push(connection.state));
    connection.socket.io.engine.close();
    await until(() => connection.state === "reconnecting", "reconnecting");
    server.delta("a", "two "); // missed while away: the snapshot carries it
    await until(() => connection.state === "live" && connection.stats.joins === 2, "second join");
    server.delta("a", "three");
    server.end("a");
    await until(() => connection.getMessage("a")?.status === "done", "end");
    expect(connection.messages.map((m) => m.id)).toEqual(["q", "a"]);
    expect(connection.getMessage("a")).toMatchObject({ text: "one two three", seq: 3 });
    expect(states).toContain("reconnecting");
  });

  it("refuses requests while not live, and maps refusals to RequestError", async () => {
    const connection = await live();
    const busy = await connection.send("hello").catch((error: unknown) => error);
    expect(busy).toBeInstanceOf(RequestError);
    expect(busy).toMatchObject({ code: "busy", clientSide: false });
    connection.close();
    expect(connection.state).toBe("offline");
    await expect(connection.send("hello")).rejects.toMatchObject({ code: "not_in_room", clientSide: true });
  });

  it("goes offline with lastError when the join is refused for good", async () => {
    server.joinFailures.push({ code: "invalid_payload", message: "Invalid payload. name: too long" });
    const connection = new RoomSync({ url: server.url, roomId: server.roomId, name: "ada", socketOptions: FAST });
    open.push(connection);
    connection.connect();
    await until(() => connection.state === "offline", "offline");
    expect(connection.lastError?.code).toBe("invalid_payload");
  });

  it("retries a join that failed for a passing reason", async () => {
    server.joinFailures.push({ code: "internal_error", message: "store down" });
    const connection = await live();
    expect(connection.lastError).toBeUndefined();
    expect(server.joins).toBe(1);
  });

  it("keeps every viewer's copy identical", async () => {
    const viewers = await Promise.all(["a", "b", "c", "d", "e"].map((name) => live(name)));
    server.addMessage(answer("m"));
    const [first, second] = server.socketIds();
    for (let i = 0; i < 40; i++) server.delta("m", `${i},`, i % 7 === 3 ? (i % 2 ? first : second) : undefined);
    server.end("m");
    const expected = Array.from({ length: 40 }, (_, i) => `${i},`).join("");
    for (const viewer of viewers) {
      const message = await until(() => viewer.getMessage("m")?.status === "done" && viewer.getMessage("m"), "end");
      expect(message.text).toBe(expected);
    }
  });

  it("goes offline when reconnection gives up, and connect() tries again", async () => {
    const connection = new RoomSync({
      url: server.url,
      roomId: server.roomId,
      name: "ada",
      socketOptions: { ...FAST, reconnectionAttempts: 2 },
    });
    open.push(connection);
    connection.connect();
    await until(() => connection.state === "live", "live");
    connection.connect(); // no-op while live
    expect(connection.state).toBe("live");
    const port = Number(new URL(server.url).port);
    await server.stop();
    await until(() => connection.state === "offline", "offline after giving up");
    server = await new FakeRoomServer().start(port);
    connection.connect();
    await until(() => connection.state === "live", "live again");
    expect(connection.stats.joins).toBe(2);
  });

  it("joins with the newest history, pages older history in front until the beginning, and keeps it across a reconnect", async () => {
    for (let i = 0; i < 120; i++) server.addMessage(question(`m${i}`, { createdAt: 1_000 + i }));
    server.joinPageSize = 10;
    const connection = await live();
    const ids = () => connection.messages.map((m) => m.id);
    expect(ids()).toEqual(Array.from({ length: 10 }, (_, i) => `m${110 + i}`));
    expect(connection.moreHistory).toBe(true);

    await connection.loadOlder();
    expect(server.historyRequests.at(-1)).toEqual({ roomId: server.roomId, before: "m110", limit: 50 });
    expect(ids()[0]).toBe("m60");
    expect(connection.moreHistory).toBe(true);
    await Promise.all([connection.loadOlder(), connection.loadOlder()]); // one request at a time
    expect(server.historyRequests).toHaveLength(2);
    await connection.loadOlder();
    expect(ids()).toEqual(Array.from({ length: 120 }, (_, i) => `m${i}`));
    expect(connection.moreHistory).toBe(false);
    await connection.loadOlder();
    expect(server.historyRequests).toHaveLength(3);

    // A reconnect's snapshot continues what is held: the older history stays, nothing is fetched again.
    for (const id of server.socketIds()) server.io.sockets.sockets.get(id)?.disconnect();
    await until(() => connection.stats.joins === 2 && connection.state === "live", "the rejoin");
    expect(ids()).toHaveLength(120);
    expect(connection.moreHistory).toBe(false);
  });

  it("a page before a message the server no longer holds ends the paging (not_found), history unchanged", async () => {
    for (let i = 0; i < 5; i++) server.addMessage(question(`m${i}`, { createdAt: 1_000 + i }));
    server.joinPageSize = 2;
    const connection = await live();
    server.messages.delete("m3"); // the server trimmed the oldest message this client holds
    await connection.loadOlder();
    expect(connection.messages.map((m) => m.id)).toEqual(["m3", "m4"]);
    expect(connection.moreHistory).toBe(false);
    expect(connection.loadingOlder).toBe(false);
  });
});
