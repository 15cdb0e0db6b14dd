import type { Member, ReplayPayload } from "@tokencast/protocol";
import { isFinalStatus } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import type { Membership } from "./membership.ts";
import type { Broadcaster, RoomStore } from "./ports.ts";

/** A room hears at most one replay this often (per node): a presenter's double click, or a script, cannot flood it. */
export const REPLAY_INTERVAL_MS = 5000;

/** Rooms remembered for the interval before old entries are swept. */
const SWEEP_AT_ROOMS = 1000;

export interface RoomReplaysDeps {
  membership: Membership;
  store: RoomStore;
  broadcaster: Broadcaster;
  now: () => number;
}

/**
 * Replays for the whole room (`chat:replay`): the owner or a presenter has every member's client
 * replay a finished answer at its original pace, from now. The server only checks and tells the
 * room; the text and its timing are already with every client, which animates it locally.
 */
export class RoomReplays {
  private readonly lastAt = new Map<string, number>();

  constructor(private readonly deps: RoomReplaysDeps) {}

  async start(connectionId: string, payload: ReplayPayload): Promise<void> {
    const member = this.deps.membership.requireMember(connectionId, payload.roomId);
    requirePresenter(member);
    await this.requireFinishedAnswer(payload);
    this.spend(payload.roomId);
    this.deps.broadcaster.replay({ roomId: payload.roomId, messageId: payload.messageId, by: member.name });
  }

  private async requireFinishedAnswer({ roomId, messageId }: ReplayPayload): Promise<void> {
    const message = await this.deps.store.getMessage(roomId, messageId);
    if (message?.role !== "assistant") throw new AppError("not_found", "No such answer in this room.");
    if (!isFinalStatus(message.status))
      throw new AppError("busy", "That answer is still streaming; replay it once it ends.");
  }

  private spend(roomId: string): void {
    const now = this.deps.now();
    const waitMs = (this.lastAt.get(roomId) ?? -Infinity) + REPLAY_INTERVAL_MS - now;
    if (waitMs > 0) {
      const retryAfter = Math.ceil(waitMs / 1000);
      throw new AppError("rate_limited", `This room just had a replay; start another in ${retryAfter} s.`, {
        retryAfter,
      });
    }
    if (this.lastAt.size >= SWEEP_AT_ROOMS) this.sweep(now);
    this.lastAt.set(roomId, now);
  }

  private sweep(now: number): void {
    for (const [roomId, at] of this.lastAt) if (now - at >= REPLAY_INTERVAL_MS) this.lastAt.delete(roomId);
  }
}

function requirePresenter(member: Member): void {
  if (member.role === "owner" || member.role === "presenter") return;
  throw new AppError(
    "forbidden",
    `Only the room's owner and presenters may replay an answer for everyone (you are a ${member.role}).`,
  );
}
