/**
 * The RoomRecords contract (core/ports.ts): a created room's record, written once, its settings
 * replaced, its invitation epoch counted. Run it against every implementation.
 */
import { describe, expect, it } from "vitest";
import { defaultSettings } from "@tokencast/protocol";
import type { RoomRecord, RoomRecords } from "../../src/core/ports.ts";

/** A created presentation's record (what `POST /api/rooms` stores). */
export const roomRecord = (id: string): RoomRecord => ({
  id,
  settings: defaultSettings("presentation", "Talk"),
  ownerKeyHash: "o".repeat(64),
  presenterKeyHash: "p".repeat(64),
  createdAt: 1,
});

export function recordsContract(name: string, make: () => RoomRecords): void {
  describe(`RoomRecords contract: ${name}`, () => {
    it("creates a room once, reads it, replaces its settings", async () => {
      const rooms = make();
      expect(await rooms.create(roomRecord("talk"))).toBe(true);
      expect(await rooms.create({ ...roomRecord("talk"), ownerKeyHash: "x" })).toBe(false);
      expect(await rooms.get("talk")).toEqual(roomRecord("talk"));
      expect(await rooms.get("nope")).toBeUndefined();
      const settings = { ...defaultSettings("chat", "Renamed"), model: "m" };
      expect((await rooms.updateSettings("talk", settings))?.settings).toEqual(settings);
      expect((await rooms.get("talk"))?.ownerKeyHash).toBe("o".repeat(64));
      expect(await rooms.updateSettings("nope", settings)).toBeUndefined();
      await rooms.touch("nope"); // no harm
    });

    it("counts invitation epochs per room; a settings write does not undo a withdrawal", async () => {
      const rooms = make();
      await rooms.create(roomRecord("gen"));
      expect(await rooms.invitationEpoch("gen")).toBe(0);
      expect(await rooms.revokeTokens("gen")).toBe(1);
      await rooms.updateSettings("gen", defaultSettings("chat", "Renamed"));
      expect(await rooms.revokeTokens("gen")).toBe(2);
      expect(await rooms.invitationEpoch("gen")).toBe(2);
      expect(await rooms.invitationEpoch("other")).toBe(0);
    });

    it("gives a room one join code, unique among live rooms; the code names the room", async () => {
      const rooms = make();
      await rooms.create(roomRecord("talk"));
      await rooms.create(roomRecord("other"));
      expect(await rooms.roomOfJoinCode("ABC234")).toBeUndefined();
      expect(await rooms.claimJoinCode("talk", "ABC234")).toBe("ABC234");
      expect(await rooms.claimJoinCode("talk", "XYZ789")).toBe("ABC234");
      expect(await rooms.claimJoinCode("other", "ABC234")).toBeUndefined();
      expect(await rooms.claimJoinCode("other", "XYZ789")).toBe("XYZ789");
      expect(await rooms.roomOfJoinCode("ABC234")).toBe("talk");
      expect(await rooms.roomOfJoinCode("XYZ789")).toBe("other");
      await rooms.touch("talk");
      await rooms.updateSettings("talk", defaultSettings("presentation", "Renamed"));
      expect(await rooms.claimJoinCode("talk", "QQQ222")).toBe("ABC234");
    });
  });
}
