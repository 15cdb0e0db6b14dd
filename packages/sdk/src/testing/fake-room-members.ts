/**
 * Who is in the fake server's room: roles from keys (as the real server decides them), role
 * counts and the presence event. Test-only.
 */
import { compareMembers, memberCursor, readMemberCursor } from "@tokencast/protocol";
import type {
  ErrorPayload,
  JoinPayload,
  Member,
  MembersResult,
  PresenceEvent,
  Role,
  RoleCounts,
  RoomSettings,
} from "@tokencast/protocol";

export interface FakeMember extends Member {
  /** Who votes count by: the voter id the join presented, else one the fake issues. */
  voter: string;
}

export interface RoomKeysConfig {
  owner?: string;
  presenter?: string;
}

export class FakeMembers {
  readonly bySocket = new Map<string, FakeMember>();
  /** Join times go up by at least 1 ms per join, so that tests list members in the order they joined. */
  private lastJoinedAt = 0;

  /** The role a join gets, or the error it is refused with. */
  roleFor(payload: JoinPayload, keys: RoomKeysConfig, settings: RoomSettings): Role | ErrorPayload {
    if (payload.key !== undefined) {
      if (payload.key === keys.owner) return "owner";
      if (payload.key === keys.presenter) return "presenter";
      return { code: "forbidden", message: "That key does not open this room." };
    }
    return payload.role ?? (settings.mode === "chat" ? "participant" : "viewer");
  }

  add(socketId: string, payload: JoinPayload, role: Role): FakeMember {
    const member: FakeMember = {
      id: socketId,
      name: payload.name,
      joinedAt: this.nextJoinTime(),
      role,
      voter: payload.voter ?? `voter-${socketId}`,
    };
    this.bySocket.set(socketId, member);
    return member;
  }

  private nextJoinTime(): number {
    this.lastJoinedAt = Math.max(Date.now(), this.lastJoinedAt + 1);
    return this.lastJoinedAt;
  }

  get(socketId: string): FakeMember | undefined {
    return this.bySocket.get(socketId);
  }

  remove(socketId: string): boolean {
    return this.bySocket.delete(socketId);
  }

  /** Most powerful role first, then earliest, then by id, like the server. */
  list(): Member[] {
    return [...this.bySocket.values()].map(({ voter: _voter, ...member }) => member).sort(compareMembers);
  }

  /** A `room:members` page like the server's: after the cursor's place, `next` when more follow. */
  page(after: string | undefined, limit: number): MembersResult | ErrorPayload {
    const place = after === undefined ? undefined : readMemberCursor(after);
    if (after !== undefined && !place) return { code: "invalid_payload", message: "Not a members cursor." };
    const rest = this.list().filter((member) => !place || compareMembers(place, member) < 0);
    const members = rest.slice(0, limit);
    const next = rest.length > limit ? { next: memberCursor(members.at(-1) as Member) } : {};
    return { members, count: this.bySocket.size, roleCounts: this.roleCounts(), ...next };
  }

  roleCounts(): RoleCounts {
    const counts: RoleCounts = { owner: 0, presenter: 0, participant: 0, viewer: 0 };
    for (const member of this.bySocket.values()) counts[member.role]++;
    return counts;
  }

  presence(roomId: string): PresenceEvent & { members: Member[] } {
    return { roomId, members: this.list(), count: this.bySocket.size, roleCounts: this.roleCounts() };
  }
}
