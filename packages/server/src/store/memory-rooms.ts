import type { RoomSettings } from "@tokencast/protocol";
import type { RoomRecord, RoomRecords } from "../core/ports.ts";

export interface MemoryRoomsOptions {
  /** A room untouched for this long is forgotten (as its history is). */
  idleTtlMs: number;
  /**
   * When the room's history was last written (the store's clock; undefined: never): a record
   * lives as long as its history, so an answer streaming in a private room keeps it private.
   */
  writtenAt?: (roomId: string) => number | undefined;
  now?: () => number;
}

/** Created rooms of a single node, in process memory; forgotten when idle past the TTL. */
export class MemoryRooms implements RoomRecords {
  private readonly rooms = new Map<
    string,
    { record: RoomRecord; touchedAt: number; invitationEpoch: number; joinCode?: string }
  >();
  /** Join code → room id; an entry whose room expired (or holds another code) names nothing. */
  private readonly codes = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly options: MemoryRoomsOptions) {
    this.now = options.now ?? Date.now;
  }

  async create(record: RoomRecord): Promise<boolean> {
    if (this.live(record.id)) return false;
    this.rooms.set(record.id, { record: structuredClone(record), touchedAt: this.now(), invitationEpoch: 0 });
    return true;
  }

  async get(roomId: string): Promise<RoomRecord | undefined> {
    const entry = this.live(roomId);
    return entry && structuredClone(entry.record);
  }

  async updateSettings(roomId: string, settings: RoomSettings): Promise<RoomRecord | undefined> {
    const entry = this.live(roomId);
    if (!entry) return undefined;
    entry.record.settings = structuredClone(settings);
    entry.touchedAt = this.now();
    return structuredClone(entry.record);
  }

  async touch(roomId: string): Promise<void> {
    const entry = this.live(roomId);
    if (entry) entry.touchedAt = this.now();
  }

  async invitationEpoch(roomId: string): Promise<number> {
    return this.live(roomId)?.invitationEpoch ?? 0;
  }

  async revokeTokens(roomId: string): Promise<number> {
    const entry = this.live(roomId);
    if (!entry) return 0;
    entry.touchedAt = this.now();
    return ++entry.invitationEpoch;
  }

  async claimJoinCode(roomId: string, code: string): Promise<string | undefined> {
    const entry = this.live(roomId);
    if (!entry) return undefined;
    if (entry.joinCode !== undefined) return entry.joinCode;
    if ((await this.roomOfJoinCode(code)) !== undefined) return undefined;
    entry.joinCode = code;
    this.codes.set(code, roomId);
    return code;
  }

  async roomOfJoinCode(code: string): Promise<string | undefined> {
    const roomId = this.codes.get(code);
    if (roomId !== undefined && this.live(roomId)?.joinCode === code) return roomId;
    this.codes.delete(code);
    return undefined;
  }

  /** The entry, unless it expired (then it is dropped). */
  private live(roomId: string) {
    const entry = this.rooms.get(roomId);
    const lastActivity = Math.max(entry?.touchedAt ?? 0, this.options.writtenAt?.(roomId) ?? 0);
    if (entry && this.now() - lastActivity > this.options.idleTtlMs) {
      this.rooms.delete(roomId);
      return undefined;
    }
    return entry;
  }
}
