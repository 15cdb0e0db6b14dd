/**
 * One attack of the abuse bench (join flood, room hog or queue storm): opens its sockets from the
 * attacker's IP, makes calls and tallies each by event and outcome, counts what the node sends it.
 */
import type { AttackPlan, AttackTally } from "./abuse-protocol.ts";
import { RawSocket, byteCounter, type AckResult, type ByteCounter } from "./raw-sio.ts";

/** After a refusal other than rate_limited (or no ack), wait this long before the next call. */
const REFUSED_PAUSE_MS = 200;
/** rate_limited says how many seconds to wait; an attacker comes back sooner than that, at most after this. */
const MAX_RATE_LIMITED_PAUSE_MS = 2000;

export class Attack {
  private readonly counter: ByteCounter = byteCounter();
  private readonly calls: Record<string, Record<string, number>> = {};
  private readonly sockets = new Set<RawSocket>();
  readonly notes: Record<string, number> = {};
  connects = 0;
  connectFailures = 0;
  running = true;
  private settled = 0;
  private markReady: () => void = () => {};
  /** Resolves once `sockets` connection attempts have settled (the attack is under way). */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    readonly plan: AttackPlan,
    private readonly firstSockets: number,
  ) {
    if (firstSockets === 0) this.markReady();
  }

  /** A connected socket, or undefined when the node refused the connection. */
  async connect(): Promise<RawSocket | undefined> {
    this.connects += 1;
    const socket = new RawSocket(
      this.plan.url,
      { "x-forwarded-for": this.plan.ip },
      this.counter,
      this.plan.ackTimeoutMs,
    );
    this.sockets.add(socket);
    const connected = await socket.connected;
    this.settled += 1;
    if (this.settled === this.firstSockets) this.markReady();
    if (connected) return socket;
    this.connectFailures += 1;
    socket.close();
    return undefined;
  }

  async call(socket: RawSocket, event: string, payload: unknown, parseLimitBytes?: number): Promise<AckResult> {
    const result = await socket.emit(event, payload, parseLimitBytes);
    this.record(event, result.ok ? "ok" : (result.code ?? "unreadable"));
    return result;
  }

  /** Counts one call of `event` (a socket event or an HTTP request) that ended with `outcome`. */
  record(event: string, outcome: string): void {
    const byOutcome = (this.calls[event] ??= {});
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
  }

  note(name: string, add = 1): void {
    this.notes[name] = (this.notes[name] ?? 0) + add;
  }

  /** Waits as a determined attacker would after `result`: not at all after a success. */
  async pause(result: AckResult): Promise<void> {
    if (result.ok) return new Promise((resolve) => setImmediate(resolve));
    const ms = result.code === "rate_limited" ? rateLimitedPause(result.retryAfterS) : REFUSED_PAUSE_MS;
    return sleep(ms);
  }

  stop(): void {
    this.running = false;
    for (const socket of this.sockets) socket.close();
  }

  tally(): AttackTally {
    const { bytes, frames, largest } = this.counter;
    return {
      connects: this.connects,
      connectFailures: this.connectFailures,
      bytes,
      frames,
      largest,
      calls: this.calls,
      notes: this.notes,
    };
  }
}

/** The advised wait, capped, with jitter so that the sockets do not come back in lockstep. */
function rateLimitedPause(retryAfterS: number | undefined): number {
  const advised = (retryAfterS ?? 1) * 1000;
  return Math.min(advised, MAX_RATE_LIMITED_PAUSE_MS) * (0.5 + Math.random() / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
