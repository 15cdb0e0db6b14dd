/** The room as a product over a real socket: keys, roles, settings, typing, queue, regenerate. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultSettings } from "@tokencast/protocol";
import { answerLinks } from "./answer-links.ts";
import { QuestionIdMemory } from "./question-queue.ts";
import { RoomConnection } from "./room-connection.ts";
import type { RoomConnectionOptions, RoomNotice } from "./room-connection.ts";
import { FakeRoomServer, until } from "@tokencast/sdk/testing/fake-room-server";
import { answer, question } from "./testing/test-messages.ts";

const FAST = { transports: ["websocket"], reconnectionDelay: 20, reconnectionDelayMax: 50 };
const OWNER_KEY = "owner-secret";
const PRESENTER_KEY = "presenter-secret";

let server: FakeRoomServer;
const open: RoomConnection[] = [];

beforeEach(async () => {
  server = await new FakeRoomServer().start();
  server.keys = { owner: OWNER_KEY, presenter: PRESENTER_KEY };
  server.owned = true;
});

afterEach(async () => {
  for (const connection of open.splice(0)) connection.close();
  await server.stop();
});

function connect(name: string, options: Partial<RoomConnectionOptions> = {}): RoomConnection {
  const base = { url: server.url, roomId: server.roomId, name, socketOptions: FAST, votes: new QuestionIdMemory() };
  const connection = new RoomConnection({ ...base, ...options });
  open.push(connection);
  connection.connect();
  return connection;
}

async function live(name: string, options: Partial<RoomConnectionOptions> = {}): Promise<RoomConnection> {
  const connection = connect(name, options);
  await until(() => connection.state === "live", `${name} to be live`);
  return connection;
}

function presentation(): void {
  server.settings = defaultSettings("presentation", "Talk");
}

describe("joining with keys and roles", () => {
  it("sends the key, the voter id the server gave and the role on every join, and takes the role the server gives", async () => {
    const kept: string[] = [];
    const voter = { load: () => kept.at(-1), save: (id: string) => void kept.push(id) };
    const ada = await live("ada", { key: OWNER_KEY, voter });
    expect(kept).toEqual([`voter-${ada.socket.id}`]);
    expect(ada.self?.role).toBe("owner");
    expect(ada.hasKey).toBe(true);
    expect(ada.permissions).toMatchObject({ mayPrompt: true, mayStop: true, mayEditSettings: true });
    ada.socket.io.engine.close();
    await until(() => ada.state === "live" && ada.stats.joins === 2, "rejoin");
    expect(server.joinPayloads).toEqual([
      { roomId: server.roomId, name: "ada", key: OWNER_KEY },
      { roomId: server.roomId, name: "ada", key: OWNER_KEY, voter: kept[0] },
    ]);
    const viewer = await live("vic", { role: "viewer" });
    expect(server.joinPayloads.at(-1)).toEqual({ roomId: server.roomId, name: "vic", role: "viewer" });
    expect(viewer.self?.role).toBe("viewer");
    expect(viewer.permissions.mayPrompt).toBe(false);
  });

  it("counts members by role, from the join and from presence", async () => {
    const ada = await live("ada", { key: OWNER_KEY });
    expect(ada.roleCounts).toEqual({ owner: 1, presenter: 0, participant: 0, viewer: 0 });
    await live("pia", { key: PRESENTER_KEY });
    await live("vic", { role: "viewer" });
    await until(
      () => ada.roleCounts.viewer === 1 && ada.roleCounts.presenter === 1 && ada.memberCount === 3,
      "presence",
    );
    expect(ada.members.map((m) => [m.name, m.role])).toEqual([
      ["ada", "owner"],
      ["pia", "presenter"],
      ["vic", "viewer"],
    ]);
  });

  it("drops a refused key, says so, and joins without it on connect()", async () => {
    let rejected = 0;
    const eve = connect("eve", { key: "wrong", onKeyRejected: () => rejected++ });
    await until(() => eve.state === "offline", "offline after a refused key");
    expect(eve.lastError?.code).toBe("forbidden");
    expect(eve.keyRejected).toBe(true);
    expect(eve.hasKey).toBe(false);
    expect(rejected).toBe(1);
    eve.connect();
    await until(() => eve.state === "live", "live without the key");
    expect(server.joinPayloads.at(-1)).toEqual({ roomId: server.roomId, name: "eve" });
    expect(eve.self?.role).toBe("participant");
    expect(eve.keyRejected).toBe(false);
  });

  it("sends an invitation token on every join; a refused (expired) token is dropped and reported, the key kept", async () => {
    const tom = await live("tom", { token: "jwt-1" });
    expect(server.joinPayloads.at(-1)).toEqual({ roomId: server.roomId, name: "tom", token: "jwt-1" });
    tom.close();
    let rejected = 0;
    server.joinFailures.push({ code: "token_expired", message: "This room token has expired." });
    const tia = connect("tia", {
      token: "jwt-old",
      key: OWNER_KEY,
      onTokenRejected: () => rejected++,
      onKeyRejected: () => (rejected += 10),
    });
    await until(() => tia.state === "offline", "offline after a refused token");
    expect(tia.lastError?.code).toBe("token_expired");
    expect(rejected).toBe(1);
    tia.connect();
    await until(() => tia.state === "live", "live without the token");
    expect(server.joinPayloads.at(-1)).toEqual({ roomId: server.roomId, name: "tia", key: OWNER_KEY });
  });
});

describe("settings", () => {
  it("the owner's change reaches everyone live, with a notice naming who changed it", async () => {
    const ada = await live("ada", { key: OWNER_KEY });
    const bob = await live("bob");
    const notices: RoomNotice[] = [];
    bob.onNotice((notice) => notices.push(notice));
    const room = await ada.updateSettings({ title: "Renamed", whoMayPrompt: "owner" });
    expect(room.settings.title).toBe("Renamed");
    expect(ada.room?.settings.title).toBe("Renamed");
    await until(() => bob.room?.settings.title === "Renamed", "bob sees the new title");
    expect(bob.permissions.mayPrompt).toBe(false);
    expect(notices).toEqual([{ type: "settings-changed", by: "ada", room: bob.room }]);
  });

  it("refuses a change by someone who is not the owner", async () => {
    const bob = await live("bob");
    await expect(bob.updateSettings({ title: "Mine" })).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("typing", () => {
  it("shows who is typing, throttles the signal and takes it back on send", async () => {
    const ada = await live("ada");
    const bob = await live("bob", { typingTtlMs: 60_000 });
    ada.setTyping(true);
    ada.setTyping(true);
    await until(() => bob.typing.length === 1 && bob.typing, "bob sees ada typing");
    expect(bob.typing).toEqual(["ada"]);
    expect(server.typingRequests).toHaveLength(1);
    ada.setTyping(false);
    await until(() => bob.typing.length === 0, "typing cleared");
    ada.setTyping(false); // nothing to take back
    ada.setTyping(true); // typing again after stopping is news
    await until(() => bob.typing.length === 1, "ada typing again");
    await ada.send("hi").catch(() => undefined); // sending takes it back
    await until(() => bob.typing.length === 0, "typing cleared by the send");
    expect(server.typingRequests.map((r) => r.typing)).toEqual([true, false, true, false]);
  });

  it("forgets a typist who stops refreshing", async () => {
    const ada = await live("ada");
    const bob = await live("bob", { typingTtlMs: 150 });
    ada.setTyping(true);
    await until(() => bob.typing.length === 1, "bob sees ada typing");
    await until(() => bob.typing.length === 0, "the entry expired", 3_000);
  });

  it("never sends typing for members who may not prompt", async () => {
    presentation();
    const vic = await live("vic");
    expect(vic.self?.role).toBe("viewer");
    vic.setTyping(true);
    vic.setTyping(false);
    const pia = await live("pia", { key: PRESENTER_KEY });
    pia.setTyping(true);
    await until(() => server.typingRequests.length === 1, "the presenter's signal");
    expect(server.typingRequests[0]?.socketId).toBe(pia.socket.id);
  });
});

describe("question queue", () => {
  it("viewers submit and vote once; presenters see it live, most votes first", async () => {
    presentation();
    const pia = await live("pia", { key: PRESENTER_KEY });
    const vic = await live("vic");
    const una = await live("una");
    await vic.submitQuestion("first?");
    const { questionId: second } = await una.submitQuestion("second?");
    await until(() => pia.queue.count === 2, "two questions");
    await vic.vote(second);
    expect(vic.queue.hasVoted(second)).toBe(true);
    await vic.vote(second); // remembered: not sent again
    await until(() => pia.queue.questions[0]?.id === second, "most votes first");
    expect(pia.queue.questions.map((q) => [q.text, q.votes, q.author])).toEqual([
      ["second?", 1, "una"],
      ["first?", 0, "vic"],
    ]);
    expect(una.queue.hasVoted(second)).toBe(false);
  });

  it("sends a question to the model as asked by its author and sent by the presenter, and dismisses", async () => {
    presentation();
    const pia = await live("pia", { key: PRESENTER_KEY });
    const vic = await live("vic");
    const { questionId: asked } = await vic.submitQuestion("why?");
    const { questionId: dropped } = await vic.submitQuestion("spam");
    await expect(vic.sendQuestion(asked)).rejects.toMatchObject({ code: "forbidden" });
    await expect(vic.dismissQuestion(dropped)).rejects.toMatchObject({ code: "forbidden" });
    const { messageId } = await pia.sendQuestion(asked);
    await pia.dismissQuestion(dropped);
    await until(() => vic.getMessage(messageId) && vic.queue.count === 0, "the question left the queue as a message");
    expect(vic.getMessage(messageId)).toMatchObject({ role: "user", author: "vic", sentBy: "pia", text: "why?" });
    expect(vic.queue.questions).toEqual([]);
  });

  it("unmarks a vote the server refused", async () => {
    presentation();
    const vic = await live("vic");
    await expect(vic.vote("nope")).rejects.toMatchObject({ code: "not_found" });
    expect(vic.queue.hasVoted("nope")).toBe(false);
  });

  it("takes the queue from the join snapshot", async () => {
    presentation();
    const first = await live("vic");
    await first.submitQuestion("early?");
    const late = await live("lee");
    expect(late.queue.questions.map((q) => q.text)).toEqual(["early?"]);
    expect(late.queue.count).toBe(1);
  });
});

describe("regenerate", () => {
  it("appends a new answer linked to the one it replaces, which stays", async () => {
    server.addMessage(question("q"));
    server.addMessage(answer("a", { replyTo: "q", createdAt: 1_001, status: "done", text: "old" }));
    const ada = await live("ada");
    const replyId = await ada.regenerate("a");
    await until(() => ada.getMessage(replyId), "the new answer");
    expect(ada.getMessage(replyId)).toMatchObject({ replyTo: "q", regenerates: "a", regeneratedBy: "ada" });
    expect(ada.messages.map((m) => m.id)).toEqual(["q", "a", replyId]);
    expect(answerLinks(ada.messages).replacedBy.get("a")).toBe(replyId);
  });

  it("is refused to those who may not prompt", async () => {
    server.addMessage(answer("a", { status: "done" }));
    server.settings = { ...server.settings, whoMayPrompt: "owner" };
    const bob = await live("bob");
    expect(bob.permissions.mayPrompt).toBe(false);
    await expect(bob.regenerate("a")).rejects.toMatchObject({ code: "forbidden" });
  });
});
