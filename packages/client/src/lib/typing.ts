/**
 * "Who is typing", both ways, free of sockets and timers (the caller passes the clock):
 * TypingTracker holds what others said (each entry expires unless refreshed), TypingSignal
 * decides when this client tells the server (true at most every TYPING_REFRESH_MS, false once).
 */
import type { TypingEvent } from "@tokencast/protocol";

/** A typing entry lives this long without a refresh (the server's rule too). */
export const TYPING_TTL_MS = 5_000;
/** While typing, `typing: true` is re-sent at most this often (the server rate-limits faster ones). */
export const TYPING_REFRESH_MS = 2_000;

interface Typist {
  name: string;
  expiresAt: number;
}

export class TypingTracker {
  private readonly typists = new Map<string, Typist>();
  private cached: string[] | undefined;

  constructor(private readonly ttlMs = TYPING_TTL_MS) {}

  /** Applies a `room:typing` event. Returns true when the list of names changed. */
  apply(event: TypingEvent, now: number): boolean {
    const { id, name } = event.member;
    const known = this.typists.get(id);
    if (!event.typing) return this.remove(id);
    this.typists.set(id, { name, expiresAt: now + this.ttlMs });
    if (known?.name === name) return false;
    this.cached = undefined;
    return true;
  }

  /** Someone left or sent their message: forget them. Returns true when they were listed. */
  remove(memberId: string): boolean {
    if (!this.typists.delete(memberId)) return false;
    this.cached = undefined;
    return true;
  }

  /** Drops entries past their expiry. Returns true when any was dropped. */
  expire(now: number): boolean {
    let changed = false;
    for (const [id, typist] of this.typists) {
      if (typist.expiresAt <= now) changed = this.remove(id) || changed;
    }
    return changed;
  }

  clear(): void {
    if (this.typists.size === 0) return;
    this.typists.clear();
    this.cached = undefined;
  }

  /** Names of who is typing, in the order they started; the same array until it changes. */
  names(): string[] {
    this.cached ??= [...this.typists.values()].map((typist) => typist.name);
    return this.cached;
  }

  /** When the next entry expires, if any. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const typist of this.typists.values()) next = Math.min(next ?? Infinity, typist.expiresAt);
    return next;
  }
}

/** This client's typing state as sent to the server. `emit` does the sending. */
export class TypingSignal {
  private sentAt: number | undefined;

  constructor(
    private readonly emit: (typing: boolean) => void,
    private readonly refreshMs = TYPING_REFRESH_MS,
  ) {}

  /** The user typed (the draft is not empty): says so now, or again once the last signal is stale. */
  input(now: number): void {
    if (this.sentAt !== undefined && now - this.sentAt < this.refreshMs) return;
    this.sentAt = now;
    this.emit(true);
  }

  /** Sent, cleared or left the box: says "stopped" once, if "typing" was said. */
  stop(): void {
    if (this.sentAt === undefined) return;
    this.sentAt = undefined;
    this.emit(false);
  }

  /** The connection dropped: the server forgot us, so there is nothing to take back. */
  reset(): void {
    this.sentAt = undefined;
  }

  get active(): boolean {
    return this.sentAt !== undefined;
  }
}

/** "Ada is typing…", "Ada and Bob are typing…", "3 people are typing…" ("" for nobody). */
export function describeTyping(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
