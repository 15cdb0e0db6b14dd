/**
 * The only place that reads the environment. Every setting is validated here, with its
 * documented default (README "Configuration"); the rest of the server receives a `Config`.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const DEFAULT_CLIENT_DIR = fileURLToPath(new URL("../../client/dist", import.meta.url));

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const envSchema = z
  .object({
    PORT: int(3000),
    HOST: z.string().default("0.0.0.0"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    CLIENT_DIR: z.string().default(DEFAULT_CLIENT_DIR),
    LLM_BASE_URL: optionalString.pipe(
      z.url({ message: "LLM_BASE_URL must be a URL such as http://localhost:8080" }).optional(),
    ),
    LLM_API_KEY: optionalString,
    LLM_MODEL: optionalString,
    LLM_API: z.enum(["chat", "completions"]).default("chat"),
    LLM_SYSTEM_PROMPT: z.string().default("You are a helpful assistant in a shared chat room. Answer in Markdown."),
    LLM_HISTORY_CHARS: int(12_000, 100),
    LLM_MAX_TOKENS: z.coerce.number().int().min(1).optional(),
    LLM_TEMPERATURE: z.coerce.number().min(0).max(2).optional(),
    LLM_FIRST_TOKEN_TIMEOUT_MS: int(600_000, 1),
    LLM_IDLE_TIMEOUT_MS: int(120_000, 1),
    LLM_MAX_CONCURRENT: int(4, 0),
    ANSWERS_PER_IP_PER_MINUTE: int(10, 0),
    ABANDONED_ANSWER_GRACE_MS: int(30_000, 0),
    LLM_MAX_ANSWER_CHARS: int(200_000, 0),
    LLM_CONTINUE: z.enum(["auto", "off"]).default("auto"),
    LLM_CONTINUE_MAX: int(2, 0),
    DEMO_TOKENS_PER_SECOND: z.coerce.number().positive().max(100_000).default(30),
    REDIS_URL: optionalString,
    REDIS_PREFIX: z.string().default("tc:"),
    REDIS_COMMAND_TIMEOUT_MS: int(1000, 0),
    ANSWER_LEASE_MS: int(5000, 300),
    COALESCE_MS: int(30, 0),
    COALESCE_MAX_MS: int(150, 0),
    COALESCE_BUSY_SHARE: z.coerce
      .number()
      .gt(0, "COALESCE_BUSY_SHARE is a share of the event loop: above 0, at most 1")
      .max(1, "COALESCE_BUSY_SHARE is a share of the event loop: above 0, at most 1")
      .default(0.25),
    COALESCE_MAX_CHARS: int(2048, 1),
    HISTORY_LIMIT: int(200, 2),
    JOIN_HISTORY_BYTES: int(256 * 1024, 1024),
    JOIN_HISTORY_MESSAGES: int(50, 1),
    MAX_TEXT_LENGTH: int(4000, 1),
    MAX_PACKET_BYTES: int(256 * 1024, 1024),
    ROOM_IDLE_TTL_MS: int(24 * 60 * 60 * 1000, 1000),
    SHUTDOWN_GRACE_MS: int(10_000, 0),
    SSE_HEARTBEAT_MS: int(15_000, 100),
    RATE_EVENTS_PER_CONNECTION: int(20, 1),
    RATE_EVENTS_PER_IP: int(200, 1),
    RATE_WINDOW_SECONDS: int(10, 1),
    RATE_BYTES_PER_IP: int(2 * 1024 * 1024, 1024),
    RATE_HTTP_PER_IP: int(10, 1),
    ROOMS_PER_IP_PER_HOUR: int(60, 1),
    JOIN_CODE_LOOKUPS_PER_IP_PER_MINUTE: int(30, 1),
    TRUST_PROXY: int(0, 0),
    MAX_MEMBERS_PER_ROOM: int(10_000, 1),
    MAX_ROOMS_PER_NODE: int(10_000, 1),
    MAX_ROOMS_PER_CONNECTION: int(10, 0),
    ADHOC_ROOMS_PER_IP_PER_HOUR: int(30, 0),
    MAX_MEMBERS_PER_IP_PER_ROOM: int(1000, 0),
    QUOTA_ROOM_TOKENS: int(0, 0),
    QUOTA_USER_TOKENS: int(0, 0),
    QUOTA_WINDOW_SECONDS: int(3600, 1),
    METRICS_TOKEN: optionalString,
    SLOW_VIEWER_MAX_BUFFER_BYTES: int(1024 * 1024, 1024),
    SLOW_VIEWER_DISCONNECT_MS: int(30_000, 100),
    TOKEN_SECRET: optionalString.pipe(z.string().min(32, "TOKEN_SECRET must be at least 32 characters").optional()),
    CORS_ORIGINS: z.string().default("*"),
    NODE_ID: optionalString.pipe(
      z
        .string()
        .regex(/^[\w.-]{1,64}$/, "NODE_ID uses letters, digits, '.', '-' and '_' (at most 64)")
        .optional(),
    ),
  })
  .refine((e) => e.COALESCE_MAX_MS >= e.COALESCE_MS, {
    path: ["COALESCE_MAX_MS"],
    message: "COALESCE_MAX_MS must be at least COALESCE_MS (equal: a fixed window)",
  })
  .refine((e) => e.MAX_PACKET_BYTES >= packetBytesFor(e.MAX_TEXT_LENGTH), {
    path: ["MAX_PACKET_BYTES"],
    message:
      "MAX_PACKET_BYTES is too small for a question of MAX_TEXT_LENGTH characters " +
      "(allow 6 bytes a character plus 4096)",
  });

/** Bytes a question of `chars` characters may take on the wire at worst (JSON \uXXXX escapes) plus the envelope. */
function packetBytesFor(chars: number): number {
  return chars * 6 + 4096;
}

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  logLevel: Env["LOG_LEVEL"];
  clientDir: string;
  llm: {
    baseUrl: string | undefined;
    apiKey: string | undefined;
    model: string | undefined;
    api: "chat" | "completions";
    systemPrompt: string;
    historyChars: number;
    maxTokens: number | undefined;
    temperature: number | undefined;
    firstTokenTimeoutMs: number;
    idleTimeoutMs: number;
    demoTokensPerSecond: number;
    /**
     * Answers streaming from the LLM at once (per node; cluster-wide in Redis mode); more wait in line, "queued"
     * (0: no limit).
     */
    maxConcurrent: number;
    /** Longest answer accepted (text and reasoning chars); past it: upstream_too_large. 0 = no bound. */
    maxAnswerChars: number;
    /** An answer of an ad-hoc room that everyone (every node) has left stops after this long; 0: never. */
    abandonedAnswerGraceMs: number;
    /** Whether a dead node's answers are continued by another node (LLM_CONTINUE), and how often each at most. */
    continues: boolean;
    maxContinuations: number;
  };
  /** commandTimeoutMs: a Redis command without a reply by then fails (store_unavailable); 0 = never. */
  redis: { url: string | undefined; prefix: string; leaseMs: number; commandTimeoutMs: number };
  rooms: {
    /** The coalescing window of a room whose broadcasts are cheap. */
    coalesceMs: number;
    /** The widest a room's window grows when its broadcasts are costly (equal to coalesceMs: fixed). */
    coalesceMaxMs: number;
    /** Share of the event loop one room's broadcasts may keep busy (the window is at least cost ÷ share). */
    coalesceBusyShare: number;
    coalesceMaxChars: number;
    historyLimit: number;
    maxTextLength: number;
    idleTtlMs: number;
  };
  /**
   * What a join snapshot and each `room:history` page carry at most: newest messages, UTF-8 JSON bytes
   * (an answer in progress comes whole on top).
   */
  joinHistory: { maxMessages: number; maxBytes: number };
  /** Bytes per second of join and history acks one client IP may be sent (all nodes), averaged over the window. */
  byteLimits: { perIp: number; windowSeconds: number };
  /** Largest Socket.IO packet a client may send; a bigger one closes its connection. */
  maxPacketBytes: number;
  shutdownGraceMs: number;
  /** SSE viewers (GET /api/rooms/:id/events) get a comment this often (under proxies' read timeouts). */
  sse: { heartbeatMs: number };
  /** Socket events per second per connection and per client IP, averaged over the window. */
  rateLimits: { perConnection: number; perIp: number; windowSeconds: number };
  /** /api/* requests per second per client IP (over the same window), and rooms created per hour per client IP. */
  requestLimits: { perIp: number; windowSeconds: number; roomsPerHour: number; joinCodesPerMinute: number };
  /** Proxy hops in front of the node whose X-Forwarded-For is believed for client IPs. */
  trustProxy: number;
  /**
   * Joins beyond these get `room_full` (members of a room, all nodes; members of a room from one
   * client IP), `server_full` (rooms with members on this node; a tenth of them per client IP) or
   * `too_many_rooms` (rooms of one connection). 0: no cap (per IP and per connection).
   */
  capacity: {
    maxMembersPerRoom: number;
    maxRoomsPerNode: number;
    maxRoomsPerConnection: number;
    maxMembersPerIpPerRoom: number;
  };
  /**
   * Per client IP, shared by every node in Redis mode: ad-hoc rooms opened per hour, answers started per minute
   * (0: no budget).
   */
  budgets: { adhocRoomsPerHour: number; answersPerMinute: number };
  /** Completion tokens per room and per person (client IP) per window; 0: no quota. */
  quotas: { roomTokens: number; userTokens: number; windowSeconds: number };
  /** Bearer token GET /metrics requires; undefined: /metrics is open (keep it off the public network). */
  metricsToken: string | undefined;
  slowViewers: { maxBufferBytes: number; disconnectAfterMs: number };
  /** HS256 secret of signed room tokens; undefined: no tokens (and no private rooms). */
  tokenSecret: string | undefined;
  /** Origins allowed by CORS (HTTP and Socket.IO); "*": any origin, without credentials. */
  corsOrigins: "*" | string[];
  /**
   * This process's id in the cluster (presence, logs): NODE_ID (or the hostname) plus a random
   * suffix, so that a restarted node never revives a dead one's heartbeat.
   */
  nodeId: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return toConfig(parsed.data);
}

function toConfig(e: Env): Config {
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    clientDir: e.CLIENT_DIR,
    llm: {
      baseUrl: e.LLM_BASE_URL,
      apiKey: e.LLM_API_KEY,
      model: e.LLM_MODEL,
      api: e.LLM_API,
      systemPrompt: e.LLM_SYSTEM_PROMPT,
      historyChars: e.LLM_HISTORY_CHARS,
      maxTokens: e.LLM_MAX_TOKENS,
      temperature: e.LLM_TEMPERATURE,
      firstTokenTimeoutMs: e.LLM_FIRST_TOKEN_TIMEOUT_MS,
      idleTimeoutMs: e.LLM_IDLE_TIMEOUT_MS,
      demoTokensPerSecond: e.DEMO_TOKENS_PER_SECOND,
      maxConcurrent: e.LLM_MAX_CONCURRENT,
      maxAnswerChars: e.LLM_MAX_ANSWER_CHARS,
      abandonedAnswerGraceMs: e.ABANDONED_ANSWER_GRACE_MS,
      continues: continuesWith(e),
      maxContinuations: e.LLM_CONTINUE_MAX,
    },
    redis: {
      url: e.REDIS_URL,
      prefix: e.REDIS_PREFIX,
      leaseMs: e.ANSWER_LEASE_MS,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    },
    rooms: {
      coalesceMs: e.COALESCE_MS,
      coalesceMaxMs: e.COALESCE_MAX_MS,
      coalesceBusyShare: e.COALESCE_BUSY_SHARE,
      coalesceMaxChars: e.COALESCE_MAX_CHARS,
      historyLimit: e.HISTORY_LIMIT,
      maxTextLength: e.MAX_TEXT_LENGTH,
      idleTtlMs: e.ROOM_IDLE_TTL_MS,
    },
    joinHistory: { maxMessages: e.JOIN_HISTORY_MESSAGES, maxBytes: e.JOIN_HISTORY_BYTES },
    byteLimits: { perIp: e.RATE_BYTES_PER_IP, windowSeconds: e.RATE_WINDOW_SECONDS },
    maxPacketBytes: e.MAX_PACKET_BYTES,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    sse: { heartbeatMs: e.SSE_HEARTBEAT_MS },
    rateLimits: {
      perConnection: e.RATE_EVENTS_PER_CONNECTION,
      perIp: e.RATE_EVENTS_PER_IP,
      windowSeconds: e.RATE_WINDOW_SECONDS,
    },
    requestLimits: {
      perIp: e.RATE_HTTP_PER_IP,
      windowSeconds: e.RATE_WINDOW_SECONDS,
      roomsPerHour: e.ROOMS_PER_IP_PER_HOUR,
      joinCodesPerMinute: e.JOIN_CODE_LOOKUPS_PER_IP_PER_MINUTE,
    },
    trustProxy: e.TRUST_PROXY,
    capacity: {
      maxMembersPerRoom: e.MAX_MEMBERS_PER_ROOM,
      maxRoomsPerNode: e.MAX_ROOMS_PER_NODE,
      maxRoomsPerConnection: e.MAX_ROOMS_PER_CONNECTION,
      maxMembersPerIpPerRoom: e.MAX_MEMBERS_PER_IP_PER_ROOM,
    },
    budgets: { adhocRoomsPerHour: e.ADHOC_ROOMS_PER_IP_PER_HOUR, answersPerMinute: e.ANSWERS_PER_IP_PER_MINUTE },
    quotas: { roomTokens: e.QUOTA_ROOM_TOKENS, userTokens: e.QUOTA_USER_TOKENS, windowSeconds: e.QUOTA_WINDOW_SECONDS },
    metricsToken: e.METRICS_TOKEN,
    slowViewers: { maxBufferBytes: e.SLOW_VIEWER_MAX_BUFFER_BYTES, disconnectAfterMs: e.SLOW_VIEWER_DISCONNECT_MS },
    tokenSecret: e.TOKEN_SECRET,
    corsOrigins: parseOrigins(e.CORS_ORIGINS),
    nodeId: `${e.NODE_ID ?? hostname()}-${randomBytes(4).toString("hex")}`,
  };
}

function parseOrigins(value: string): "*" | string[] {
  const origins = value
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  return origins.length === 0 || origins.includes("*") ? "*" : origins;
}

/**
 * LLM_CONTINUE=auto: the demo model and OpenAI-compatible servers continue a partial answer
 * (llama.cpp, Ollama, vLLM, LocalAI take it as the assistant's last message, or at the end of a
 * completions prompt), except OpenAI's own API, which answers such a request anew.
 */
function continuesWith(e: Env): boolean {
  if (e.LLM_CONTINUE === "off") return false;
  return e.LLM_BASE_URL === undefined || new URL(e.LLM_BASE_URL).hostname !== "api.openai.com";
}
