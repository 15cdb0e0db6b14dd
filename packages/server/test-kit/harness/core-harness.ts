/**
 * A RoomService on the memory ports, for core tests that run in milliseconds: a recording
 * broadcaster, a scripted answer source, a fake clock, and people who join and act through the
 * service's public methods (as the Socket.IO handlers do), so the tests survive changes inside it.
 */
import { afterEach } from "vitest";
import type { EndEvent, Message } from "@tokencast/protocol";
import { waitFor } from "../../../../tests/helpers/wait.ts";
import { AppError } from "../../src/core/errors.ts";
import type { ChatTurn } from "../../src/core/ports.ts";
import { TokenQuotas, type QuotaSettings } from "../../src/core/quotas.ts";
import { RoomService, type RoomServiceDeps } from "../../src/core/room-service.ts";
import { RoomTokens } from "../../src/core/tokens.ts";
import { MemoryDirectory } from "../../src/store/memory-directory.ts";
import { MemoryQueue } from "../../src/store/memory-queue.ts";
import { MemoryRooms } from "../../src/store/memory-rooms.ts";
import { MemorySlots } from "../../src/store/memory-slots.ts";
import { MemoryStore } from "../../src/store/memory-store.ts";
import { memoryLimiters } from "../../src/store/limiters.ts";
import { FakeClock } from "./fake-clock.ts";
import { HarnessLocks } from "./harness-locks.ts";
import { Person } from "./person.ts";
import { quietLogger } from "./quiet-logger.ts";
import { RecordingBroadcaster } from "./recording-broadcaster.ts";
import { ScriptedSource } from "./scripted-source.ts";

export interface HarnessOptions {
  limits?: Partial<RoomServiceDeps["limits"]>;
  /** Token quotas; absent: none. */
  quotas?: QuotaSettings;
  /** LLM_MAX_CONCURRENT (0: no bound). */
  maxConcurrent?: number;
  /** Budgets per client IP (ad-hoc rooms, answers started); absent: none. */
  budgets?: RoomServiceDeps["budgets"];
  /** A dead node's answers continue on this one (the source must continue too: `source.continues`). */
  continuation?: RoomServiceDeps["continuation"];
}

export interface JoinAs {
  roomId: string;
  role?: "participant" | "viewer";
  /** A room key (owner or presenter). */
  key?: string;
  token?: string;
  /** The client IP; by default each connection has its own. */
  ip?: string;
  /** The connection's id: joins with the same id come from one connection (its rooms add up); by default a new one. */
  connectionId?: string;
}

const DEFAULT_LIMITS: RoomServiceDeps["limits"] = {
  maxTextLength: 1000,
  coalesceMs: 0,
  coalesceMaxChars: 1000,
  maxMembersPerRoom: 100,
  maxRoomsPerNode: 100,
  maxRoomsPerConnection: 0,
  maxMembersPerIpPerRoom: 0,
  abandonedAnswerGraceMs: 0,
};

const TOKEN_SECRET = "core-harness-token-secret-0123456789abcdef";
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a test waits for the core to do something it does at once (no timers involved). */
const PROMPTLY_MS = 2000;
/** A drain at grace 0 interrupts every answer and stores the ends within 1.5 s (core/answers.ts). */
const CLOSE_DEADLINE_MS = 3000;

/** Harnesses still open, drained after each test (no answer outlives its test). */
const open = new Set<CoreHarness>();
afterEach(async () => {
  for (const harness of open) await harness.close();
});

export class CoreHarness {
  readonly clock = new FakeClock();
  readonly broadcaster = new RecordingBroadcaster();
  readonly source = new ScriptedSource();
  readonly locks: HarnessLocks;
  readonly store = new MemoryStore({ historyLimit: 100, idleTtlMs: DAY_MS, now: this.clock.now });
  readonly rooms: RoomService;
  private connections = 0;
  private closed = false;

  constructor(options: HarnessOptions = {}) {
    // With continuation, a cluster's: other nodes look for orphans (a drain hands answers over).
    this.locks = new HarnessLocks(undefined, options.continuation ? 1000 : 0);
    const quotas =
      options.quotas &&
      new TokenQuotas(memoryLimiters().counters(options.quotas.windowSeconds), options.quotas, quietLogger);
    this.rooms = new RoomService({
      store: this.store,
      records: new MemoryRooms({ idleTtlMs: DAY_MS, now: this.clock.now }),
      queue: new MemoryQueue(),
      ...(quotas ? { quotas } : {}),
      ...(options.budgets ? { budgets: options.budgets } : {}),
      ...(options.continuation ? { continuation: options.continuation } : {}),
      slots: new MemorySlots(options.maxConcurrent ?? 0),
      locks: this.locks,
      directory: new MemoryDirectory(),
      source: this.source,
      broadcaster: this.broadcaster,
      logger: quietLogger,
      buildTurns: plainTurns,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      history: { maxBytes: 256 * 1024, maxMessages: 100 },
      tokens: new RoomTokens(TOKEN_SECRET),
      now: this.clock.now,
    });
    this.broadcaster.onDrop = (connectionId) => this.rooms.disconnect(connectionId);
    open.add(this);
  }

  /** A new connection joins as the socket layer does: admitted, in the room's channel, then joined. */
  async join(name: string, as: JoinAs): Promise<Person> {
    const id = as.connectionId ?? `conn-${++this.connections}`;
    this.rooms.connect(id, as.ip ?? `198.51.100.${this.connections}`);
    const payload = { roomId: as.roomId, name, ...pick(as, "role", "key", "token") };
    const admission = await this.rooms.admit(payload);
    this.broadcaster.enter(as.roomId, id, { ...pick(as, "token"), key: as.key !== undefined });
    try {
      return new Person(this.rooms, id, as.roomId, await this.rooms.join(id, payload, admission));
    } catch (error) {
      this.broadcaster.leave(as.roomId, id);
      throw error;
    }
  }

  /** A created room (POST /api/rooms) with its owner's and presenter's keys. */
  createRoom(mode: "chat" | "presentation" = "chat", title = "Harness room") {
    return this.rooms.createRoom({ title, mode });
  }

  /** The answer's `chat:end`, once sent. */
  endOf(messageId: string): Promise<EndEvent> {
    return waitFor(() => this.broadcaster.endOf(messageId), {
      timeoutMs: PROMPTLY_MS,
      what: `the end of ${messageId}`,
    });
  }

  /** The answer as stored, once its text reads `text` (the log caught up with the tokens released). */
  streamed(roomId: string, messageId: string, text: string): Promise<Message> {
    const stored = async () => {
      const message = await this.store.getMessage(roomId, messageId);
      return message?.text === text ? message : undefined;
    };
    return waitFor(stored, { timeoutMs: PROMPTLY_MS, what: `${messageId} to read "${text}"` });
  }

  /** One run of the upkeep task that ends answers whose owner vanished. */
  takeOverOrphans(): Promise<void> {
    return this.upkeep("orphaned answers");
  }

  /** One run of the upkeep task that stops answers of ad-hoc rooms everyone left (past the grace). */
  stopAbandoned(): Promise<void> {
    return this.upkeep("abandoned answers");
  }

  private upkeep(name: string): Promise<void> {
    const task = this.rooms.upkeepTasks().find((candidate) => candidate.name === name);
    if (!task) throw new Error(`no upkeep task named "${name}"`);
    return task.run();
  }

  /** A node on its way down: answers get `graceMs` to finish, then end interrupted. */
  drain(graceMs: number): Promise<void> {
    this.closed = true;
    return this.rooms.drain(graceMs, "The server is restarting.");
  }

  /** Ends what is still running; fails (instead of hanging the test) when an answer will not end. */
  async close(): Promise<void> {
    open.delete(this);
    if (this.closed) return;
    let deadline: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_resolve, reject) => {
      deadline = setTimeout(
        () => reject(new Error("an answer was still running after the drain: a rule let two run at once?")),
        CLOSE_DEADLINE_MS,
      );
    });
    await Promise.race([this.drain(0), stuck]).finally(() => clearTimeout(deadline));
  }
}

/** The conversation as the turns builder receives it, one turn per message (no budget, no prompt shaping). */
function plainTurns(history: Message[], systemPrompt: string | undefined): ChatTurn[] {
  const system: ChatTurn[] = systemPrompt ? [{ role: "system", content: systemPrompt }] : [];
  return [...system, ...history.map((m): ChatTurn => ({ role: m.role, content: m.text }))];
}

function pick<T extends object, K extends keyof T>(from: T, ...keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((key) => from[key] !== undefined).map((key) => [key, from[key]])) as Partial<
    Pick<T, K>
  >;
}

/** The AppError an action was refused with (fails the test when it was not refused). */
export async function refusal(action: Promise<unknown>): Promise<AppError> {
  const outcome = await action.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof AppError) return outcome;
  throw new Error(
    `expected the core to refuse with an AppError, got ${outcome === undefined ? "success" : String(outcome)}`,
  );
}
