import type { Redis } from "ioredis";
import type { RoomSettings } from "@tokencast/protocol";
import type { RoomRecord, RoomRecords } from "../core/ports.ts";
import { storeCall } from "./redis-errors.ts";
import { joinCodeKey, roomKeys } from "./redis-keys.ts";

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
    const reply = await storeCall(() =>
      this.redis.set(this.key(record.id), JSON.stringify(record), "PX", this.options.ttlMs, "NX"),
    );
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
    const reply = await storeCall(() =>
      this.redis.set(this.key(roomId), JSON.stringify(updated), "PX", this.options.ttlMs, "XX"),
    );
    return reply === "OK" ? updated : undefined;
  }

  async touch(roomId: string): Promise<void> {
    const { ttlMs } = this.options;
    const keys = roomKeys(this.options.prefix, roomId);
    const replies = await storeCall(() =>
      this.redis
        .multi()
        .pexpire(keys.record, ttlMs)
        .pexpire(keys.invitationEpoch, ttlMs)
        .pexpire(keys.joinCode, ttlMs)
        .get(keys.joinCode)
        .exec(),
    );
    const code = replies?.[3]?.[1];
    if (typeof code === "string") await storeCall(() => this.redis.pexpire(this.codeKey(code), ttlMs));
  }

  async invitationEpoch(roomId: string): Promise<number> {
    return Number((await storeCall(() => this.redis.get(this.epochKey(roomId)))) ?? 0);
  }

  /** A counter of its own (INCR), not a field of the record: a settings write cannot undo a revocation. */
  async revokeTokens(roomId: string): Promise<number> {
    const key = this.epochKey(roomId);
    const replies = await storeCall(() => this.redis.multi().incr(key).pexpire(key, this.options.ttlMs).exec());
    const [error, epoch] = replies?.[0] ?? [new Error("MULTI was discarded"), undefined];
    if (error) throw error;
    return Number(epoch);
  }

  /**
   * Without a script (the code's key and the room's keys live in different cluster slots): the
   * code is taken first (NX), then given to the room (NX); a room that got another code meanwhile
   * keeps that one and the code taken here is let go.
   */
  async claimJoinCode(roomId: string, code: string): Promise<string | undefined> {
    const { ttlMs } = this.options;
    const ofRoom = roomKeys(this.options.prefix, roomId).joinCode;
    const existing = await storeCall(() => this.redis.get(ofRoom));
    if (existing !== null) return existing;
    if ((await storeCall(() => this.redis.set(this.codeKey(code), roomId, "PX", ttlMs, "NX"))) !== "OK")
      return undefined;
    if ((await storeCall(() => this.redis.set(ofRoom, code, "PX", ttlMs, "NX"))) === "OK") return code;
    await storeCall(() => this.redis.del(this.codeKey(code)));
    return (await storeCall(() => this.redis.get(ofRoom))) ?? undefined;
  }

  async roomOfJoinCode(code: string): Promise<string | undefined> {
    const roomId = await storeCall(() => this.redis.get(this.codeKey(code)));
    if (roomId === null) return undefined;
    // A code outliving its room (their TTLs are set apart) names nothing.
    const holds = await storeCall(() => this.redis.get(roomKeys(this.options.prefix, roomId).joinCode));
    return holds === code && (await this.get(roomId)) ? roomId : undefined;
  }

  private codeKey(code: string): string {
    return joinCodeKey(this.options.prefix, code);
  }

  private key(roomId: string): string {
    return roomKeys(this.options.prefix, roomId).record;
  }

  private epochKey(roomId: string): string {
    return roomKeys(this.options.prefix, roomId).invitationEpoch;
  }
}
