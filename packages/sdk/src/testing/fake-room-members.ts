/**
 * Who is in the fake server's room: roles from keys (as the real server decides them), role
 * counts and the presence event. Test-only.
 */
import { ROLES } from "@tokencast/protocol";
import type {
  ErrorPayload,
  JoinPayload,
  Member,
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
      joinedAt: Date.now(),
      role,
      voter: payload.voter ?? `voter-${socketId}`,
    };
    this.bySocket.set(socketId, member);
    return member;
  }

  get(socketId: string): FakeMember | undefined {
    return this.bySocket.get(socketId);
  }

  remove(socketId: string): boolean {
    return this.bySocket.delete(socketId);
  }

  /** Most powerful role first, then earliest, like the server. */
  list(): Member[] {
    const rank = (role: Role): number => ROLES.indexOf(role);
    return [...this.bySocket.values()]
      .map(({ voter: _voter, ...member }) => member)
      .sort((a, b) => rank(a.role) - rank(b.role) || a.joinedAt - b.joinedAt);
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
