/** Withdrawing a room's invitations on the memory core. */
import { describe, expect, it } from "vitest";
import { CoreHarness, refusal } from "../harness/core-harness.ts";

describe("invitation withdrawal", () => {
  it("drops the members who came in with a withdrawn token, refuses that token, and keeps everyone else", async () => {
    const h = new CoreHarness();
    const room = await h.createRoom();
    const roomId = room.info.id;
    const owner = { key: room.ownerKey };
    const invitation = await h.rooms.mintToken(owner, { roomId, role: "participant", name: "Tom", ttlSeconds: 3600 });
    await h.join("Owen", { roomId, key: room.ownerKey });
    const tom = await h.join("whoever", { roomId, token: invitation.token });
    expect(tom.joined.self).toMatchObject({ name: "Tom", role: "participant" });
    await h.join("Sam", { roomId });

    expect(await h.rooms.revokeTokens(owner, roomId)).toEqual({ dropped: 1 });
    expect(h.broadcaster.connections(roomId)).not.toContain(tom.id);
    expect((await refusal(tom.ask("still here?"))).code).toBe("not_in_room");
    expect(await h.rooms.memberCount(roomId)).toBe(2);
    expect((await refusal(h.join("Tom", { roomId, token: invitation.token }))).code).toBe("forbidden");

    const fresh = await h.rooms.mintToken(owner, { roomId, role: "participant", name: "Tom", ttlSeconds: 3600 });
    await h.join("Tom", { roomId, token: fresh.token });
    expect(await h.rooms.memberCount(roomId)).toBe(3);
  });

  it("only the owner withdraws: a presenter is refused and nobody is dropped", async () => {
    const h = new CoreHarness();
    const room = await h.createRoom("presentation");
    const roomId = room.info.id;
    const invitation = await h.rooms.mintToken(
      { key: room.presenterKey },
      { roomId, role: "viewer", ttlSeconds: 3600 },
    );
    await h.join("Val", { roomId, token: invitation.token });
    expect((await refusal(h.rooms.revokeTokens({ key: room.presenterKey }, roomId))).code).toBe("forbidden");
    expect(await h.rooms.memberCount(roomId)).toBe(1);
  });
});
