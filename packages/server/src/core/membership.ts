import { moderates, type JoinPayload, type JoinResult, type Member, type Role } from "@tokencast/protocol";
import { admittedRole } from "./access.ts";
import { AppError } from "./errors.ts";
import type { Invitations } from "./invitations.ts";
import type { JoinLimits } from "./join-limits.ts";
import type { Presence } from "./presence.ts";
import type { Questions } from "./questions.ts";
import type { Payer } from "./quotas.ts";
import type { RoomCatalog, RoomView } from "./room-catalog.ts";
import type { RoomHistory } from "./room-history.ts";
import type { TypingSignals } from "./typing-signals.ts";
import type { ConnectionVoters } from "./voter-ids.ts";

/** What `admit` found a join may be: the room as it was read, the member's name and role. */
export interface Admission {
  view: RoomView;
  name: string;
  role: Role;
}

export interface MembershipDeps {
  presence: Presence;
  catalog: RoomCatalog;
  invitations: Invitations;
  joinLimits: JoinLimits;
  voters: ConnectionVoters;
  history: RoomHistory;
  questions: Questions;
  typing: TypingSignals;
  now: () => number;
}

/**
 * Who is in which room, as whom, from which IP: a connection arrives, is admitted (its role),
 * joins within the capacity limits with a snapshot of the room, leaves, and goes away.
 */
export class Membership {
  /** Each connection's client IP: who pays for the answers it asks for. */
  private readonly ips = new Map<string, string>();

  constructor(private readonly deps: MembershipDeps) {}

  /** A connection arrived (before any event): where from. */
  connect(connectionId: string, ip: string): void {
    this.ips.set(connectionId, ip);
  }

  /**
   * Who this join admits, or throws (`forbidden`, `token_expired`): call before the connection
   * enters the room's broadcast channel, so a refused join never sees its events; then `join`.
   */
  async admit(payload: JoinPayload): Promise<Admission> {
    const view = await this.deps.catalog.view(payload.roomId);
    const claims = await this.deps.invitations.claimsOf(payload);
    return {
      view,
      name: claims?.name ?? payload.name,
      role: admittedRole(view.record, view.settings, payload, claims),
    };
  }

  /** Call after the connection has joined the room's broadcast channel, so no delta falls between. */
  async join(connectionId: string, payload: JoinPayload, { view, name, role }: Admission): Promise<JoinResult> {
    const self: Member = { id: connectionId, name, joinedAt: this.deps.now(), role };
    const ip = this.ipOf(connectionId);
    const release = await this.deps.joinLimits.check({
      roomId: payload.roomId,
      connectionId,
      ip,
      role,
      created: view.record !== undefined,
    });
    const { voter, page, queue, presence } = await this.enter(payload, self, ip).finally(release);
    if (view.record) await this.deps.catalog.touch(payload.roomId);
    const room = this.deps.catalog.info(payload.roomId, view);
    const { members, count: memberCount, roleCounts } = presence;
    const queueFields = { queue: queue.questions, queueCount: queue.count, queueVersion: queue.version };
    const lists = view.settings.mode === "presentation" ? await this.otherLists(payload.roomId, moderates(role)) : {};
    return {
      room,
      self,
      members,
      memberCount,
      roleCounts,
      messages: page.messages,
      moreHistory: page.more,
      ...queueFields,
      ...lists,
      voter: voter.signed,
    };
  }

  leave(connectionId: string, roomId: string): void {
    this.deps.typing.stop(connectionId, roomId);
    this.deps.presence.leave(connectionId, roomId);
  }

  /** A connection went away: it leaves its rooms. Its answers keep streaming for everyone else. */
  disconnect(connectionId: string): void {
    for (const roomId of this.deps.presence.roomsOf(connectionId)) this.deps.typing.stop(connectionId, roomId);
    this.deps.presence.disconnect(connectionId);
    this.deps.voters.forget(connectionId);
    this.ips.delete(connectionId);
  }

  /** The connection's member in the room, or `not_in_room`. */
  requireMember(connectionId: string, roomId: string): Member {
    const member = this.deps.presence.get(roomId, connectionId);
    if (!member) throw new AppError("not_in_room", "Join the room first.");
    return member;
  }

  /** The connection's client IP (its own id when it never said: each counts alone). */
  ipOf(connectionId: string): string {
    return this.ips.get(connectionId) ?? connectionId;
  }

  /** Who pays for an answer the connection asks for in the room: its client IP. */
  payerOf(connectionId: string, roomId: string): Payer {
    return { roomId, user: this.ipOf(connectionId) };
  }

  /** The connection's voter id (votes count once per voter). */
  voterOf(connectionId: string): string {
    return this.deps.voters.idOf(connectionId);
  }

  /**
   * A presentation's answered questions for everyone, and for its owner and presenters those
   * waiting for approval (chat rooms have neither: their joins read nothing more).
   */
  private async otherLists(roomId: string, moderator: boolean): Promise<Pick<JoinResult, "answered" | "pending">> {
    const [answered, pending] = await Promise.all([
      this.deps.questions.list(roomId, "answered"),
      moderator ? this.deps.questions.list(roomId, "pending") : undefined,
    ]);
    return { answered, ...(pending ? { pending } : {}) };
  }

  /** What the joiner sees, read before it is listed as a member (the join limits hold its slots meanwhile). */
  private async enter(payload: JoinPayload, self: Member, ip: string) {
    const voter = await this.deps.voters.admit(self.id, payload.voter);
    const [page, queue] = await Promise.all([
      this.deps.history.recent(payload.roomId),
      this.deps.questions.list(payload.roomId),
    ]);
    return { voter, page, queue, presence: await this.deps.presence.join(payload.roomId, self, ip) };
  }
}
