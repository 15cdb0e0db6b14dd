import type { Redis } from "ioredis";
import type { RoomSettings } from "@tokencast/protocol";
import type { RoomRecord, RoomRecords } from "../core/ports.ts";
import { storeCall } from "./redis-errors.ts";
import { roomKeys } from "./redis-keys.ts";

export interface RedisRoomsOptions {
  prefix: string;
  /** The record expires this long after the room's last activity (as its history does). */
  ttlMs: number;
}

/** Created rooms shared by every node: one JSON string per room, with the room's TTL. */
export class RedisRooms implements RoomRecords {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRoomsOptions,
  ) {}

  async create(record: RoomRecord): Promise<boolean> {
    const reply = await storeCall(() => this.redis.set(this.key(record.id), JSON.stringify(record), "PX", this.options.ttlMs, "NX"));
    return reply === "OK";
  }

  async get(roomId: string): Promise<RoomRecord | undefined> {
    const json = await storeCall(() => this.redis.get(this.key(roomId)));
    return json ? (JSON.parse(json) as RoomRecord) : undefined;
  }

  async updateSettings(roomId: string, settings: RoomSettings): Promise<RoomRecord | undefined> {
    // Last writer wins: settings are replaced whole, and only the owner changes them.
    const record = await this.get(roomId);
    if (!record) return undefined;
    const updated = { ...record, settings };
    const reply = await storeCall(() => this.redis.set(this.key(roomId), JSON.stringify(updated), "PX", this.options.ttlMs, "XX"));
    return reply === "OK" ? updated : undefined;
  }

  async touch(roomId: string): Promise<void> {
    await storeCall(() => this.redis.pexpire(this.key(roomId), this.options.ttlMs));
  }

  private key(roomId: string): string {
    return roomKeys(this.options.prefix, roomId).record;
  }
}
