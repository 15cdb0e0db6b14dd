/**
 * Rate limit for typing signals, per member: "typing" goes out at most once per `everyMs`
 * (clients refresh it while typing); "stopped" goes out only after a "typing" did.
 */
export class TypingGate {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly everyMs: number,
    private readonly now: () => number,
  ) {}

  /** True when this signal should be broadcast. */
  pass(memberKey: string, typing: boolean): boolean {
    const last = this.lastSent.get(memberKey);
    if (!typing) return this.lastSent.delete(memberKey);
    if (last !== undefined && this.now() - last < this.everyMs) return false;
    this.lastSent.set(memberKey, this.now());
    return true;
  }

  forget(memberKey: string): void {
    this.lastSent.delete(memberKey);
  }
}
