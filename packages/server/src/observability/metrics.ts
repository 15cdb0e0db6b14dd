import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Metrics } from "../core/ports.ts";

/** What the gauges read at scrape time. */
export interface LiveCounts {
  sockets(): number;
  /** SSE streams watching rooms (members in process, not sockets). */
  sseViewers(): number;
  /** Rooms with members connected to this node. */
  rooms(): number;
  /** The widest coalescing window of any room on this node, in ms. */
  coalesceWindowMs(): number;
  /** Rooms on this node whose coalescing window is above COALESCE_MS (their broadcasts are costly). */
  widenedRooms(): number;
}

/** One app's Prometheus registry and the recorders that feed it (core sees only `Metrics`). */
export interface PromMetrics {
  registry: Registry;
  recorder: Metrics;
  /** A Redis connection (`op`: command, subscriber) or a command (`op`: request) failed. */
  redisError(op: string): void;
  /** Gauges read these at scrape time (set once the app exists). */
  watch(counts: LiveCounts): void;
}

const PREFIX = "tokencast_";
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RATE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/** A registry of its own (not prom-client's global one), so two apps can share a process. */
export function createMetrics(): PromMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  let counts: LiveCounts = {
    sockets: () => 0,
    sseViewers: () => 0,
    rooms: () => 0,
    coalesceWindowMs: () => 0,
    widenedRooms: () => 0,
  };
  const registers = [registry];
  new Gauge({
    name: `${PREFIX}connected_sockets`,
    help: "Socket.IO connections to this node.",
    registers,
    collect() {
      this.set(counts.sockets());
    },
  });
  const sseHelp = "SSE streams watching rooms on this node.";
  new Gauge({
    name: `${PREFIX}sse_viewers`,
    help: sseHelp,
    registers,
    collect() {
      this.set(counts.sseViewers());
    },
  });
  new Gauge({
    name: `${PREFIX}rooms`,
    help: "Rooms with members connected to this node.",
    registers,
    collect() {
      this.set(counts.rooms());
    },
  });
  new Gauge({
    name: `${PREFIX}coalesce_window_ms`,
    help:
      "The widest coalescing window of any room on this node, own or asked for by another node, " +
      "in ms (COALESCE_MS up to COALESCE_MAX_MS).",
    registers,
    collect() {
      this.set(counts.coalesceWindowMs());
    },
  });
  new Gauge({
    name: `${PREFIX}coalesce_widened_rooms`,
    help: "Rooms on this node whose coalescing window is above COALESCE_MS (their broadcasts are costly).",
    registers,
    collect() {
      this.set(counts.widenedRooms());
    },
  });
  const m = {
    active: new Gauge({
      name: `${PREFIX}answers_active`,
      help: "Answers streaming from the LLM on this node.",
      registers,
    }),
    queued: new Gauge({
      name: `${PREFIX}answers_queued`,
      help: "Answers on this node waiting for an LLM slot.",
      registers,
    }),
    answers: new Counter({
      name: `${PREFIX}answers_total`,
      help: "Answers ended, by final status.",
      labelNames: ["status"],
      registers,
    }),
    firstToken: new Histogram({
      name: `${PREFIX}time_to_first_token_seconds`,
      help: "From the upstream request to its first token.",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    tokens: new Counter({
      name: `${PREFIX}upstream_tokens_total`,
      help: "Tokens (streamed text or reasoning events) read from the LLM.",
      registers,
    }),
    rate: new Histogram({
      name: `${PREFIX}upstream_tokens_per_second`,
      help: "Each answer's token rate, first to last token.",
      buckets: RATE_BUCKETS,
      registers,
    }),
    delay: new Histogram({
      name: `${PREFIX}token_to_viewer_delay_seconds`,
      help: "From an upstream token's arrival to the broadcast of the delta carrying it.",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    resyncs: new Counter({
      name: `${PREFIX}resyncs_total`,
      help: "Viewers sent back to the log for what they missed, by reason.",
      labelNames: ["reason"],
      registers,
    }),
    upstreamErrors: new Counter({
      name: `${PREFIX}upstream_errors_total`,
      help: "Answers failed by the LLM, by error code.",
      labelNames: ["code"],
      registers,
    }),
    redisErrors: new Counter({
      name: `${PREFIX}redis_errors_total`,
      help: "Redis errors: connection errors by connection (command, subscriber), and failed commands (request).",
      labelNames: ["op"],
      registers,
    }),
  };
  return {
    registry,
    recorder: recorderFor(m),
    redisError: (op) => m.redisErrors.inc({ op }),
    watch: (live) => {
      counts = live;
    },
  };
}

type Instruments = {
  active: Gauge;
  queued: Gauge;
  answers: Counter<"status">;
  firstToken: Histogram;
  tokens: Counter;
  rate: Histogram;
  delay: Histogram;
  resyncs: Counter<"reason">;
  upstreamErrors: Counter<"code">;
};

function recorderFor(m: Instruments): Metrics {
  return {
    answerQueued: () => holdGauge(m.queued),
    answerStreaming: () => holdGauge(m.active),
    firstToken: (ms) => m.firstToken.observe(ms / 1000),
    upstreamTokens: (count) => m.tokens.inc(count),
    answerEnded: (status, tokensPerSecond) => {
      m.answers.inc({ status });
      if (tokensPerSecond !== undefined) m.rate.observe(tokensPerSecond);
    },
    upstreamError: (code) => m.upstreamErrors.inc({ code }),
    deltaBroadcast: (delayMs) => m.delay.observe(delayMs / 1000),
    resync: (reason, count = 1) => m.resyncs.inc({ reason }, count),
  };
}

/** Raises the gauge by one until the returned function is called (once). */
function holdGauge(gauge: Gauge): () => void {
  gauge.inc();
  let held = true;
  return () => {
    if (held) gauge.dec();
    held = false;
  };
}
