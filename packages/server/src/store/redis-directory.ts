import type { Redis } from "ioredis";
import type { Member, MemberPlace } from "@tokencast/protocol";
import { ROLES } from "@tokencast/protocol";
import type { MemberDirectory, MemberListing, MemberPage } from "../core/ports.ts";
import { storeCall } from "./redis-errors.ts";
import { defineScripts } from "./redis-commands.ts";
import { nodeKeys, roomKeys } from "./redis-keys.ts";
import {
  ADD_MEMBER,
  DEAD_NODES,
  HEARTBEAT,
  PAGE_MEMBERS,
  REMOVE_MEMBER,
  ROLE_SPAN,
} from "./redis-directory-scripts.ts";

export interface RedisDirectoryOptions {
  prefix: string;
  /** This node's id (random per process). */
  nodeId: string;
  /** A node whose last heartbeat is older than this is dead; its members are removed. */
  deadAfterMs: number;
  /** TTL of every key, refreshed on writes (the room idle TTL). */
  ttlMs: number;
  /** How long this node's Redis connection has been up (see RedisLocksOptions.connectedForMs). */
  connectedForMs?: () => number;
}

/** A script that adds or removes a member (KEYS: members, info, node, ips). */
type MemberScript = (
  members: string,
  info: string,
  node: string,
  ips: string,
  ...args: Array<string | number>
) => Promise<number>;

interface ScriptedRedis extends Redis {
  tcAddMember: MemberScript;
  tcRemoveMember: MemberScript;
  tcPageMembers(
    members: string,
    info: string,
    limit: number,
    roles: number,
    span: number,
    afterScore: string,
    afterId: string,
  ): Promise<Array<number | string>>;
  tcHeartbeat(nodes: string, node: string, ...args: Array<string | number>): Promise<number>;
  tcDeadNodes(nodes: string, deadAfterMs: number, selfId: string): Promise<string[]>;
}

/** Stored per member: the wire Member plus the node it is connected to and its client IP (never listed). */
type StoredMember = Member & { node: string; ip?: string };

/** Presence shared by every node: room member sets in Redis, node heartbeats, dead-node sweeping. */
export class RedisDirectory implements MemberDirectory {
  readonly heartbeatEveryMs: number;
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly options: RedisDirectoryOptions,
  ) {
    this.redis = defineScripts<ScriptedRedis>(redis, {
      tcAddMember: { numberOfKeys: 4, lua: ADD_MEMBER },
      tcRemoveMember: { numberOfKeys: 4, lua: REMOVE_MEMBER },
      tcPageMembers: { numberOfKeys: 2, lua: PAGE_MEMBERS },
      tcHeartbeat: { numberOfKeys: 2, lua: HEARTBEAT },
      tcDeadNodes: { numberOfKeys: 1, lua: DEAD_NODES },
    });
    this.heartbeatEveryMs = Math.max(50, Math.round(options.deadAfterMs / 5));
  }

  async add(roomId: string, member: Member, ip?: string): Promise<void> {
    const room = roomKeys(this.options.prefix, roomId);
    const stored: StoredMember = { ...member, node: this.options.nodeId, ...(ip === undefined ? {} : { ip }) };
    const args = [
      member.id,
      scoreOf(member),
      JSON.stringify(stored),
      entry(roomId, member.id),
      this.options.ttlMs,
      ip ?? "",
    ];
    await storeCall(() =>
      this.redis.tcAddMember(room.members, room.memberInfo, this.own.members, room.memberIps, ...args),
    );
  }

  async remove(roomId: string, memberId: string): Promise<void> {
    const room = roomKeys(this.options.prefix, roomId);
    await storeCall(() =>
      this.redis.tcRemoveMember(
        room.members,
        room.memberInfo,
        this.own.members,
        room.memberIps,
        memberId,
        entry(roomId, memberId),
      ),
    );
  }

  async countFrom(roomId: string, ip: string): Promise<number> {
    const room = roomKeys(this.options.prefix, roomId);
    return Number((await storeCall(() => this.redis.hget(room.memberIps, ip))) ?? 0);
  }

  async list(roomId: string, limit: number): Promise<MemberListing> {
    const { more: _more, ...listing } = await this.page(roomId, undefined, limit);
    return listing;
  }

  async page(roomId: string, after: MemberPlace | undefined, limit: number): Promise<MemberPage> {
    const room = roomKeys(this.options.prefix, roomId);
    // The score goes as a string: Lua would print a number of 14 digits or more rounded.
    const [afterScore, afterId] = after ? [String(scoreOf(after)), after.id] : ["", ""];
    const reply = await storeCall(() =>
      this.redis.tcPageMembers(room.members, room.memberInfo, limit, ROLES.length, ROLE_SPAN, afterScore, afterId),
    );
    const [count, ...perRole] = reply.slice(0, ROLES.length + 1).map(Number) as [number, ...number[]];
    const roleCounts = Object.fromEntries(
      ROLES.map((role, i) => [role, perRole[i] ?? 0]),
    ) as MemberListing["roleCounts"];
    const more = Number(reply[ROLES.length + 1]) === 1;
    const members = reply.slice(ROLES.length + 2).map((json) => toMember(JSON.parse(String(json)) as StoredMember));
    return { count, roleCounts, members, more };
  }

  async heartbeat(): Promise<void> {
    await this.redis.tcHeartbeat(this.own.nodes, this.own.members, this.options.nodeId, this.options.ttlMs);
  }

  async sweep(): Promise<string[]> {
    const { deadAfterMs, nodeId, connectedForMs } = this.options;
    // Right after Redis comes back every heartbeat is old: give live nodes time to beat again.
    if ((connectedForMs?.() ?? Number.POSITIVE_INFINITY) < deadAfterMs) return [];
    const dead = await this.redis.tcDeadNodes(this.own.nodes, deadAfterMs, nodeId);
    const changed = new Set<string>();
    for (const node of dead) for (const roomId of await this.removeNode(node)) changed.add(roomId);
    return [...changed];
  }

  /** Removes every member a dead node registered; returns the rooms that lost someone. */
  private async removeNode(node: string): Promise<string[]> {
    const keys = nodeKeys(this.options.prefix, node);
    const entries = (await this.redis.smembers(keys.members)).flatMap(parseEntry);
    const pipeline = this.redis.pipeline();
    for (const { roomId, memberId } of entries) {
      const room = roomKeys(this.options.prefix, roomId);
      pipeline.tcRemoveMember(
        room.members,
        room.memberInfo,
        keys.members,
        room.memberIps,
        memberId,
        entry(roomId, memberId),
      );
    }
    pipeline.del(keys.members);
    pipeline.zrem(keys.nodes, node);
    const results = (await pipeline.exec()) ?? [];
    return entries.filter((_, i) => results[i]?.[1] === 1).map((e) => e.roomId);
  }

  private get own(): { nodes: string; members: string } {
    return nodeKeys(this.options.prefix, this.options.nodeId);
  }
}

/** A member's sorted-set score: role rank first, then join time (ties are ordered by id). */
function scoreOf(place: MemberPlace): number {
  return ROLES.indexOf(place.role) * ROLE_SPAN + place.joinedAt;
}

function toMember({ node: _node, ip: _ip, ...member }: StoredMember): Member {
  return member;
}

function entry(roomId: string, memberId: string): string {
  return `${roomId} ${memberId}`;
}

function parseEntry(value: string): Array<{ roomId: string; memberId: string }> {
  const space = value.indexOf(" ");
  return space > 0 ? [{ roomId: value.slice(0, space), memberId: value.slice(space + 1) }] : [];
}

declare module "ioredis" {
  interface ChainableCommander {
    tcRemoveMember(
      members: string,
      info: string,
      node: string,
      ips: string,
      ...args: Array<string | number>
    ): ChainableCommander;
  }
}
