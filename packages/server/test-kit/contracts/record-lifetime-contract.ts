/**
 * A room's record lives as long as its history is written (RoomRecords beside RoomStore, both
 * idle-expiring): an answer streaming longer than the TTL keeps its room's record. Run it against
 * every implementation, with a clock `elapse` moves on.
 */
import { describe, expect, it } from "vitest";
import type { Message } from "@tokencast/protocol";
import type { RoomRecords, RoomStore } from "../../src/core/ports.ts";
import { roomRecord } from "./records-contract.ts";

/** The idle TTL of the records and the history in this suite. */
export const RECORD_TTL_MS = 60_000;

/** A room's record and its history written together, with a clock that `elapse` moves on. */
export interface RoomWithHistory {
  rooms: RoomRecords;
  store: RoomStore;
  elapse(ms: number): Promise<void>;
}

/** A new object each time: a memory store keeps (and grows) the one it is given. */
const streamingAnswer = (): Message => ({
  id: "a1",
  roomId: "live",
  role: "assistant",
  author: "m",
  text: "",
  seq: 0,
  status: "streaming",
  createdAt: 0,
});

export function recordLifetimeContract(name: string, make: () => RoomWithHistory): void {
  describe(`a room's record lives as long as its history is written: ${name}`, () => {
    it("an answer streaming for longer than the TTL keeps the record (and its invitation epoch)", async () => {
      const { rooms, store, elapse } = make();
      await rooms.create(roomRecord("live"));
      await rooms.revokeTokens("live");
      const step = RECORD_TTL_MS * 0.6;
      await elapse(step);
      await store.addMessage(streamingAnswer());
      for (let seq = 1; seq <= 3; seq++) {
        await elapse(step);
        expect(await store.appendDelta("live", "a1", { seq, text: "x" })).toBe("appended");
      }
      await elapse(step);
      await store.finishMessage("live", "a1", { status: "done" });
      await elapse(step);
      expect((await rooms.get("live"))?.id).toBe("live");
      expect(await rooms.invitationEpoch("live")).toBe(1);
    });

    it("a join code lives as long as its room is touched, and names nothing once the room expired", async () => {
      const { rooms, elapse } = make();
      await rooms.create(roomRecord("coded"));
      expect(await rooms.claimJoinCode("coded", "CODE22")).toBe("CODE22");
      for (let i = 0; i < 3; i++) {
        await elapse(RECORD_TTL_MS * 0.6);
        await rooms.touch("coded");
      }
      expect(await rooms.roomOfJoinCode("CODE22")).toBe("coded");
      await elapse(RECORD_TTL_MS + 1);
      expect(await rooms.roomOfJoinCode("CODE22")).toBeUndefined();
      await rooms.create(roomRecord("next"));
      expect(await rooms.claimJoinCode("next", "CODE22")).toBe("CODE22");
    });
  });
}
