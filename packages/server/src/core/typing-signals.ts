import type { Member, TypingPayload } from "@tokencast/protocol";
import { requireAllowed } from "./access.ts";
import type { Broadcaster } from "./ports.ts";
import type { Presence } from "./presence.ts";
import type { RoomLifetime } from "./room-lifetime.ts";
import { TypingGate } from "./typing-gate.ts";

/** A member's typing signal is broadcast at most this often (clients refresh every 2 s). */
const TYPING_EVERY_MS = 1000;

export interface TypingSignalsDeps {
  presence: Presence;
  broadcaster: Broadcaster;
  lifetime: RoomLifetime;
  now: () => number;
}

/** "Someone is typing a question": told to the room for members who may ask, rate-limited. */
export class TypingSignals {
  private readonly gate: TypingGate;

  constructor(private readonly deps: TypingSignalsDeps) {
    this.gate = new TypingGate(TYPING_EVERY_MS, deps.now);
  }

  async signal(member: Member, payload: TypingPayload): Promise<void> {
    if (payload.typing) {
      const view = await this.deps.lifetime.memberView(payload.roomId);
      requireAllowed(view.settings.whoMayPrompt, member, "ask the model");
    }
    this.send(member, payload.roomId, payload.typing);
  }

  /** The connection stopped typing in the room (it asked, left or went away). */
  stop(connectionId: string, roomId: string): void {
    const member = this.deps.presence.get(roomId, connectionId);
    if (member) this.send(member, roomId, false);
  }

  private send(member: Member, roomId: string, typing: boolean): void {
    if (!this.gate.pass(`${roomId} ${member.id}`, typing)) return;
    this.deps.broadcaster.typing({ roomId, member: { id: member.id, name: member.name }, typing });
  }
}
