/**
 * Typing for one room connection: others' entries (expiring on one timer) and this member's
 * throttled signal. The connection feeds it events and says when to emit; no socket here.
 */
import type { TypingEvent } from "@tokencast/protocol";
import { TypingSignal, TypingTracker } from "./typing.ts";

export interface RoomTypingHooks {
  /** Sends `room:typing` (the caller checks it may). */
  emit: (typing: boolean) => void;
  /** The list of names changed. */
  changed: () => void;
  ttlMs?: number;
}

export class RoomTyping {
  private readonly tracker: TypingTracker;
  private readonly signal: TypingSignal;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly hooks: RoomTypingHooks) {
    this.tracker = new TypingTracker(hooks.ttlMs);
    this.signal = new TypingSignal(hooks.emit);
  }

  /** Names of the others typing; the same array until it changes. */
  get names(): string[] {
    return this.tracker.names();
  }

  /** A `room:typing` from someone else. */
  receive(event: TypingEvent): void {
    if (this.tracker.apply(event, Date.now())) this.hooks.changed();
    this.scheduleExpiry();
  }

  /** This member typed. */
  input(): void {
    this.signal.input(Date.now());
  }

  /** This member sent, cleared or left the draft. */
  stop(): void {
    this.signal.stop();
  }

  /** Disconnected or closed: the server forgot us as a typist, and others' entries are stale. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.signal.reset();
    if (this.tracker.names().length > 0) {
      this.tracker.clear();
      this.hooks.changed();
    }
  }

  /** One timer, due at the earliest expiry, re-armed while entries remain. */
  private scheduleExpiry(): void {
    const next = this.tracker.nextExpiry();
    if (this.timer !== undefined || next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.tracker.expire(Date.now())) this.hooks.changed();
        this.scheduleExpiry();
      },
      Math.max(0, next - Date.now()) + 1,
    );
    (this.timer as { unref?: () => void }).unref?.();
  }
}
