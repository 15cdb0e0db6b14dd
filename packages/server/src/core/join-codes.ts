import { randomInt } from "node:crypto";
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, moderates, type JoinCodeResult } from "@tokencast/protocol";
import { AppError } from "./errors.ts";
import type { Membership } from "./membership.ts";
import type { RoomRecords } from "./ports.ts";
import type { RoomCatalog } from "./room-catalog.ts";
import type { RoomLifetime } from "./room-lifetime.ts";

/** Tries before giving up on a free code: 31^6 ≈ 887 million codes, so a clash is already rare. */
const CLAIM_ATTEMPTS = 8;

export interface JoinCodesDeps {
  records: RoomRecords;
  catalog: RoomCatalog;
  lifetime: RoomLifetime;
  membership: Membership;
  /** A fresh code to try (tests pin it). */
  newCode?: () => string;
}

/**
 * Short codes for public created rooms, made by their owner or presenters for the projector. A
 * code only names the room (what its share link does): a private room gets none, and a room made
 * private later is not found by its code, so a code never leads anyone to a private room.
 */
export class JoinCodes {
  private readonly newCode: () => string;

  constructor(private readonly deps: JoinCodesDeps) {
    this.newCode = deps.newCode ?? randomJoinCode;
  }

  /** The room's code (made on first request), for its owner or a presenter. */
  async codeFor(connectionId: string, roomId: string): Promise<{ code: string }> {
    const member = this.deps.membership.requireMember(connectionId, roomId);
    if (!moderates(member.role))
      throw new AppError("forbidden", "Only the room's owner and presenters may show its join code.");
    const view = await this.deps.lifetime.memberView(roomId);
    if (!view.record) throw new AppError("forbidden", "Only created rooms have join codes; create a room first.");
    if (view.settings.private)
      throw new AppError("forbidden", "A private room has no join code: share an invitation link instead.");
    return { code: await this.claim(roomId) };
  }

  /** The public room a code names; `not_found` otherwise (private rooms look exactly like unknown codes). */
  async roomOf(code: string): Promise<JoinCodeResult> {
    const roomId = await this.deps.records.roomOfJoinCode(code);
    const view = roomId === undefined ? undefined : await this.deps.catalog.view(roomId).catch(() => undefined);
    if (roomId === undefined || !view || view.settings.private)
      throw new AppError("not_found", "No live room has this join code. Check the code on the screen.");
    return { roomId };
  }

  private async claim(roomId: string): Promise<string> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const code = await this.deps.records.claimJoinCode(roomId, this.newCode());
      if (code !== undefined) return code;
    }
    throw new AppError("internal_error", "Could not find a free join code; try again.");
  }
}

/** JOIN_CODE_LENGTH characters of JOIN_CODE_ALPHABET, uniformly random. */
export function randomJoinCode(): string {
  return Array.from({ length: JOIN_CODE_LENGTH }, () => JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)]).join(
    "",
  );
}
