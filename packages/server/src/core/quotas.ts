import { AppError } from "./errors.ts";
import type { Logger, TokenCounters } from "./ports.ts";

export interface QuotaSettings {
  /** Completion tokens one room may use per window (0: no quota). */
  roomTokens: number;
  /** Completion tokens one person (client IP) may use per window, in any room (0: no quota). */
  userTokens: number;
  windowSeconds: number;
}

/** Who pays for an answer: the room and the person who asked for it. */
export interface Payer {
  roomId: string;
  user: string;
}

/**
 * Token quotas: an answer is refused (`quota_exceeded`) once its room or its asker has used the
 * window's budget; what an answer cost is charged when it ends (so one answer may overshoot).
 * Counting failures let answers through (logged): quotas must not take the service down.
 */
export class TokenQuotas {
  constructor(
    private readonly counters: TokenCounters,
    private readonly settings: QuotaSettings,
    private readonly logger: Logger,
  ) {}

  async check(payer: Payer): Promise<void> {
    const { roomTokens, userTokens, windowSeconds } = this.settings;
    const [room, user] = await Promise.all([
      this.used(roomKey(payer), roomTokens),
      this.used(userKey(payer), userTokens),
    ]);
    const window = describeWindow(windowSeconds);
    if (roomTokens > 0 && room >= roomTokens) {
      throw new AppError(
        "quota_exceeded",
        `This room has used its ${roomTokens} tokens for ${window}; try again later.`,
      );
    }
    if (userTokens > 0 && user >= userTokens) {
      throw new AppError("quota_exceeded", `You have used your ${userTokens} tokens for ${window}; try again later.`);
    }
  }

  charge(payer: Payer, tokens: number): void {
    if (tokens <= 0) return;
    const { roomTokens, userTokens } = this.settings;
    const keys = [...(roomTokens > 0 ? [roomKey(payer)] : []), ...(userTokens > 0 ? [userKey(payer)] : [])];
    for (const key of keys) {
      this.counters
        .add(key, tokens)
        .catch((error: unknown) => this.logger.warn({ err: error, key }, "could not count tokens against a quota"));
    }
  }

  private async used(key: string, quota: number): Promise<number> {
    if (quota === 0) return 0;
    try {
      return await this.counters.used(key);
    } catch (error) {
      this.logger.warn({ err: error, key }, "could not read a token quota; letting the answer through");
      return 0;
    }
  }
}

function roomKey(payer: Payer): string {
  return `room:${payer.roomId}`;
}

function userKey(payer: Payer): string {
  return `user:${payer.user}`;
}

function describeWindow(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? "this hour" : `these ${seconds / 3600} hours`;
  return `these ${seconds} seconds`;
}
