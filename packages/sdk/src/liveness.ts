/**
 * Noticing a connection that went silent without closing (a frozen server, a network path that
 * drops packets): Socket.IO itself only gives up after the server's ping interval plus its ping
 * timeout (20 s with Tokencast's defaults). Every frame heard from the server (an event, an ack,
 * a ping) proves the connection alive. While an answer is streaming, frames come every few tens of
 * milliseconds, so a short silence earns one small probe; if that gets no answer in time the
 * connection is called stale. With nothing streaming, the server's ping (every 10 s) is the only
 * expected frame: missing it is enough. Any frame clears it.
 *
 * A model that pauses mid-answer makes every viewer of the room go quiet at the same moment: in a
 * room of thousands, probes must neither come together nor keep coming. Each connection waits a
 * little longer than the others (up to QUIET_PROBE_JITTER_MS more, drawn once), and each answered
 * probe doubles its wait until real traffic comes back.
 */

/** An answer was streaming and nothing arrived for this long: probe the server. */
export const QUIET_PROBE_MS = 2_000;
/** Up to this much more quiet before a connection's first probe (drawn once per connection). */
export const QUIET_PROBE_JITTER_MS = 2_000;
/** A probe unanswered for this long makes the connection stale. */
export const PROBE_TIMEOUT_MS = 2_000;
/** Nothing streaming and not even the server's ping (every 10 s) for this long: stale. */
export const IDLE_STALE_MS = 13_000;
/** How often the silence is measured. */
export const LIVENESS_CHECK_MS = 500;

export type LivenessStep = "wait" | "probe" | "stale";

export interface LivenessInput {
  /** Time since the last frame from the server. */
  quietMs: number;
  /** An answer is streaming (text has started to arrive), so frames are expected all the time. */
  streaming: boolean;
  /** A probe is on its way. */
  probing: boolean;
  /** This connection's quiet before a probe (QUIET_PROBE_MS plus its jitter); default QUIET_PROBE_MS. */
  probeAfterMs?: number;
  /** Probes answered since real traffic last came: each doubles the quiet before the next. */
  answered?: number;
}

/** What the silence calls for now. */
export function livenessStep({ quietMs, streaming, probing, probeAfterMs, answered }: LivenessInput): LivenessStep {
  if (quietMs >= IDLE_STALE_MS) return "stale";
  if (!streaming || probing) return "wait";
  return quietMs >= (probeAfterMs ?? QUIET_PROBE_MS) * 2 ** (answered ?? 0) ? "probe" : "wait";
}

export interface LivenessHooks {
  /** Whether an answer with text is streaming now. */
  streaming: () => boolean;
  /** Sends a probe; resolves true when the server answered in time (whatever it answered). */
  probe: () => Promise<boolean>;
  /** `stale` changed. */
  changed: () => void;
}

/** The clock and state of the rule above, for one connection; checks only between `start()` and `stop()`. */
export class LivenessWatch {
  /** The connection has been silent for too long: it may be dead although it has not closed. */
  stale = false;
  private lastFrameAt = Date.now();
  private probing = false;
  private answered = 0;
  private readonly probeAfterMs = QUIET_PROBE_MS + Math.floor(Math.random() * QUIET_PROBE_JITTER_MS);
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly hooks: LivenessHooks) {}

  /** A frame arrived from the server. */
  heard(): void {
    this.lastFrameAt = Date.now();
    // A frame while a probe is out is most likely its answer: only other traffic ends the back-off.
    if (!this.probing) this.answered = 0;
    this.setStale(false);
  }

  start(): void {
    this.heard();
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.check(), LIVENESS_CHECK_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.setStale(false);
  }

  private check(): void {
    const quietMs = Date.now() - this.lastFrameAt;
    const { probing, probeAfterMs, answered } = this;
    const step = livenessStep({ quietMs, streaming: this.hooks.streaming(), probing, probeAfterMs, answered });
    if (step === "stale") this.setStale(true);
    else if (step === "probe") void this.probe();
  }

  private async probe(): Promise<void> {
    this.probing = true;
    try {
      if (await this.hooks.probe()) this.answered += 1;
      else this.setStale(true);
    } finally {
      this.probing = false;
    }
  }

  private setStale(stale: boolean): void {
    if (this.stale === stale) return;
    this.stale = stale;
    this.hooks.changed();
  }
}
