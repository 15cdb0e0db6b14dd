/** Token quotas and join capacity on the memory core. */
import { describe, expect, it } from "vitest";
import { CoreHarness, refusal } from "../harness/core-harness.ts";
import type { Person } from "../harness/person.ts";

/** Asks, and has the model answer at a cost of `tokens` completion tokens. */
async function answered(h: CoreHarness, person: Person, tokens: number): Promise<void> {
  const index = h.source.answers.length;
  const { replyId } = await person.ask("q");
  (await h.source.answer(index)).text("a").usage(tokens).finish();
  await h.endOf(replyId);
}

describe("token quotas", () => {
  const hour = { windowSeconds: 3600 };

  it("a room that used its tokens is refused quota_exceeded, nothing stored, no upstream; other rooms still ask", async () => {
    const h = new CoreHarness({ quotas: { roomTokens: 10, userTokens: 0, ...hour } });
    const ada = await h.join("Ada", { roomId: "r" });
    await answered(h, ada, 6);
    await answered(h, ada, 6);
    const stored = (await h.store.listMessages("r")).length;
    // The cost is charged as the answer ends, before the room hears its end.
    const error = await refusal(ada.ask("more?"));
    expect(error.code).toBe("quota_exceeded");
    expect(error.message).toContain("10 tokens");
    expect(await h.store.listMessages("r")).toHaveLength(stored);
    expect(h.source.answers).toHaveLength(2);
    expect((await refusal(ada.regenerate((await h.store.listMessages("r")).at(-1)!.id))).code).toBe("quota_exceeded");
    const bob = await h.join("Bob", { roomId: "elsewhere" });
    await bob.ask("q");
  });

  it("a person (client IP) who used theirs is refused in every room; someone else still asks", async () => {
    const h = new CoreHarness({ quotas: { roomTokens: 0, userTokens: 5, ...hour } });
    const ada = await h.join("Ada", { roomId: "one", ip: "203.0.113.7" });
    const adaElsewhere = await h.join("Ada", { roomId: "two", ip: "203.0.113.7" });
    await answered(h, ada, 5);
    expect((await refusal(adaElsewhere.ask("q"))).code).toBe("quota_exceeded");
    const bob = await h.join("Bob", { roomId: "two", ip: "203.0.113.8" });
    await bob.ask("q");
  });
});

describe("capacity", () => {
  it("room_full past the members a room may hold; the owner and presenters still come in (and count)", async () => {
    const h = new CoreHarness({ limits: { maxMembersPerRoom: 2 } });
    const room = await h.createRoom();
    const roomId = room.info.id;
    const ada = await h.join("Ada", { roomId });
    await h.join("Bob", { roomId });
    expect((await refusal(h.join("Cy", { roomId }))).code).toBe("room_full");
    expect(await h.rooms.memberCount(roomId)).toBe(2);
    expect(h.broadcaster.connections(roomId)).toHaveLength(2);
    await h.join("Owen", { roomId, key: room.ownerKey });
    await h.join("Pia", { roomId, key: room.presenterKey });
    ada.leave();
    expect((await refusal(h.join("Cy", { roomId }))).code).toBe("room_full");
    (await h.join("Owen's guest", { roomId, key: room.ownerKey })).leave();
    expect(await h.rooms.memberCount(roomId)).toBe(3);
  });

  it("room_full lets the next one in once a member leaves", async () => {
    const h = new CoreHarness({ limits: { maxMembersPerRoom: 1 } });
    const ada = await h.join("Ada", { roomId: "r" });
    expect((await refusal(h.join("Bob", { roomId: "r" }))).code).toBe("room_full");
    ada.leave();
    await h.join("Bob", { roomId: "r" });
  });

  it("server_full past the rooms this node may hold; joining a room already held still works", async () => {
    const h = new CoreHarness({ limits: { maxRoomsPerNode: 2 } });
    const ada = await h.join("Ada", { roomId: "one" });
    await h.join("Bob", { roomId: "two" });
    expect((await refusal(h.join("Cy", { roomId: "three" }))).code).toBe("server_full");
    expect(h.rooms.roomCount()).toBe(2);
    await h.join("Cy", { roomId: "two" });
    ada.disconnect();
    await h.join("Cy", { roomId: "three" });
  });
});

describe("a join that fails after its limits were checked", () => {
  it("gives back the slots it held (a store failure does not use up a connection's rooms)", async () => {
    const h = new CoreHarness({ limits: { maxRoomsPerConnection: 1 } });
    const pageMessages = h.store.pageMessages.bind(h.store);
    h.store.pageMessages = () => Promise.reject(new Error("store down"));
    await expect(h.join("Ada", { roomId: "r1", connectionId: "ada" })).rejects.toThrow("store down");
    h.store.pageMessages = pageMessages;
    await h.join("Ada", { roomId: "r1", connectionId: "ada" });
  });
});
