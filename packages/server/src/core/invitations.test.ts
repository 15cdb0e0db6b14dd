/** Invitations over memory ports: the invitation epoch withdraws every token minted before it moved on. */
import { describe, expect, it } from "vitest";
import { MemoryRooms } from "../store/memory-rooms.ts";
import { AppError } from "./errors.ts";
import { Invitations } from "./invitations.ts";
import type { Broadcaster, Logger, MemberAccess } from "./ports.ts";
import { RoomCatalog } from "./room-catalog.ts";
import { RoomLifetime } from "./room-lifetime.ts";
import { RoomTokens } from "./tokens.ts";

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };

async function setup() {
  const drops: Array<(access: MemberAccess) => boolean> = [];
  const broadcaster = {
    dropMembers: async (_roomId: string, drop: (access: MemberAccess) => boolean) => drops.push(drop),
  } as unknown as Broadcaster;
  const records = new MemoryRooms({ idleTtlMs: 60_000 });
  const source = { model: "fake", demo: false, continues: false, stream: async function* () {} };
  const catalog = new RoomCatalog({ records, source, maxTextLength: 1000, now: Date.now });
  const lifetime = new RoomLifetime({ catalog, broadcaster, logger: quiet, localRooms: () => [] });
  const tokens = new RoomTokens("invitations-unit-test-secret-0123456789");
  const invitations = new Invitations({ records, catalog, tokens, lifetime, logger: quiet });
  const room = await catalog.create({ title: "Talk", mode: "presentation" });
  const owner = { key: room.ownerKey };
  const mintViewer = async () =>
    (await invitations.mint(owner, { roomId: room.info.id, role: "viewer", ttlSeconds: 60 })).token;
  return { invitations, room, owner, drops, mintViewer };
}

async function refusal(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error.code;
}

describe("invitation epochs", () => {
  it("withdrawing refuses tokens minted before, admits tokens minted after, and drops only holders of old ones", async () => {
    const { invitations, room, owner, drops, mintViewer } = await setup();
    const roomId = room.info.id;
    const before = await mintViewer();
    expect(await invitations.credentialRole(roomId, { token: before })).toBe("viewer");
    await invitations.revoke(owner, roomId);
    expect(await refusal(invitations.credentialRole(roomId, { token: before }))).toBe("forbidden");
    const after = await mintViewer();
    expect(await invitations.credentialRole(roomId, { token: after })).toBe("viewer");
    const [drop] = drops;
    expect([drop!({ token: before }), drop!({ token: after }), drop!({ key: true }), drop!({})]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it("only the owner withdraws; a presenter may not", async () => {
    const { invitations, room } = await setup();
    expect(await refusal(invitations.revoke({ key: room.presenterKey }, room.info.id))).toBe("forbidden");
  });

  it("a room made private drops whoever came in by the share link alone", async () => {
    const { invitations, room, drops, mintViewer } = await setup();
    await invitations.dropUninvited(room.info.id);
    const [drop] = drops;
    expect([drop!({}), drop!({ token: await mintViewer() }), drop!({ key: true })]).toEqual([true, false, false]);
  });
});
