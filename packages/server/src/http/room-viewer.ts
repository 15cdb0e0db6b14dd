/**
 * A viewer of rooms for a client that does not speak Socket.IO (the SSE endpoint): a direct member
 * of the rooms (realtime/direct-connection.ts) that joins, reads history pages and resumes through
 * the very core calls a socket's handlers make, within the same limits of its client's IP (event
 * rate, reply bytes, room slots, members per IP), and hears every node's events of its rooms.
 */
import type { HistoryResult, JoinPayload, JoinResult, ResumeResult } from "@tokencast/protocol";
import type { DeltaEvent, EndEvent, Member, Message, PresenceEvent } from "@tokencast/protocol";
import type { QueueChangedEvent, ReasoningEvent, RoomUpdatedEvent } from "@tokencast/protocol";
import { joinPayloadSchema, ListedQueue, MAX_HISTORY_PAGE, snapshotChange } from "@tokencast/protocol";
import { AppError } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";
import type { RoomService } from "../core/room-service.ts";
import { unmetered, type ByteBudget, type Meter } from "../realtime/byte-budget.ts";
import { DirectConnection } from "../realtime/direct-connection.ts";
import type { DirectMembers } from "../realtime/direct-members.ts";
import { validPayload } from "../realtime/handle.ts";
import { tooManyEvents, type EventLimits } from "../realtime/rate-limits.ts";
import { enterRoom } from "../realtime/room-entry.ts";
import type { LiveEvent } from "./room-stream.ts";

export interface RoomViewer {
  /** `room:join`; throws `AppError` with the code a socket would be answered. */
  join(payload: JoinPayload): Promise<JoinResult>;
  /** `room:history`: the page before `before`; throws `AppError` when refused. */
  history(roomId: string, before: string): Promise<HistoryResult>;
  /** `chat:resume`; throws `AppError` when refused. */
  resume(roomId: string, messageId: string, afterSeq: number): Promise<ResumeResult>;
  /** Live events of the rooms joined, in arrival order. */
  onEvent(listener: (event: LiveEvent) => void): void;
  /** The server dropped it for good (withdrawn invitation, room closed or made private). */
  onLost(listener: (reason: string) => void): void;
  close(): void;
}

export interface RoomViewerDeps {
  rooms: RoomService;
  members: DirectMembers;
  /** Each request counts as one event of the connection and of its client's IP, as a socket's do. */
  events?: EventLimits;
  /** Join snapshots and history pages count against the client IP's byte budget. */
  bytes?: ByteBudget;
  logger: Logger;
}

/** A viewer acting for the client at `ip`. */
export function openRoomViewer(deps: RoomViewerDeps, ip: string): RoomViewer {
  return new DirectViewer(deps, new DirectConnection(deps.members, ip, deps.logger));
}

class DirectViewer implements RoomViewer {
  /** SSE consumers get the whole listed queue on each change (their `queue` event), built here from the patches. */
  private readonly queue = new ListedQueue();
  /** SSE consumers get the listed members in every `presence` event; a large room's may omit them (unchanged). */
  private members: Member[] = [];
  private readonly meter: Meter;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly deps: RoomViewerDeps,
    private readonly connection: DirectConnection,
  ) {
    this.meter = deps.bytes?.meterFor(connection.ip) ?? unmetered;
    deps.rooms.connect(connection.id, connection.ip);
  }

  join(payload: JoinPayload): Promise<JoinResult> {
    return this.request(async () => {
      const join = validPayload(joinPayloadSchema, payload);
      const joined = await this.meter(() => enterRoom(this.deps.rooms, this.connection, join));
      this.queue.apply(snapshotChange(join.roomId, joined.queue, joined.queueCount, joined.queueVersion));
      this.members = joined.members;
      return joined;
    });
  }

  history(roomId: string, before: string): Promise<HistoryResult> {
    const payload = { roomId, before, limit: MAX_HISTORY_PAGE };
    return this.request(() => this.meter(() => this.deps.rooms.history(this.connection.id, payload)));
  }

  resume(roomId: string, messageId: string, afterSeq: number): Promise<ResumeResult> {
    return this.request(() => this.deps.rooms.resume(this.connection.id, { roomId, messageId, afterSeq }));
  }

  onEvent(listener: (event: LiveEvent) => void): void {
    this.connection.onPacket((event, payload) => {
      const live = liveEvent(event, payload, this.queue, (presence) => this.wholePresence(presence));
      if (live) listener(live);
    });
  }

  private wholePresence(presence: PresenceEvent): PresenceEvent {
    this.members = presence.members ?? this.members;
    return { ...presence, members: this.members };
  }

  onLost(listener: (reason: string) => void): void {
    this.connection.onLost(listener);
  }

  /** Leaves its rooms now; leaves the core once the requests under way have settled (a join could list it again). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.close();
    const { rooms, events } = this.deps;
    void Promise.allSettled([...this.inFlight]).then(() => {
      rooms.disconnect(this.connection.id);
      events?.forget(this.connection.id);
    });
  }

  private async request<R>(call: () => Promise<R>): Promise<R> {
    if (this.closed) throw new AppError("server_shutdown", "The stream closed; try again.");
    const waitMs = await this.deps.events?.check(this.connection.id, this.connection.ip);
    if (waitMs !== undefined) throw tooManyEvents(waitMs);
    const running = call();
    this.inFlight.add(running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(running);
    }
  }
}

/** The SSE stream's input for an event broadcast to the room; undefined for those it does not show. */
function liveEvent(
  event: string,
  payload: unknown,
  queue: ListedQueue,
  wholePresence: (presence: PresenceEvent) => PresenceEvent,
): LiveEvent | undefined {
  switch (event) {
    case "chat:message":
      return { type: "message", message: payload as Message };
    case "chat:delta":
      return { type: "delta", delta: payload as DeltaEvent };
    case "chat:end":
      return { type: "end", end: payload as EndEvent };
    case "chat:reasoning":
      return { type: "reasoning", reasoning: payload as ReasoningEvent };
    case "room:presence":
      return { type: "presence", presence: wholePresence(payload as PresenceEvent) };
    case "room:updated":
      return { type: "room", room: payload as RoomUpdatedEvent };
    case "queue:changed":
      return listedQueue(payload as QueueChangedEvent, queue);
    case "room:resync":
      return { type: "resync" };
    default:
      return undefined; // typing, replays (a watcher's own affair), room:closed (a disconnect follows)
  }
}

function listedQueue(change: QueueChangedEvent, queue: ListedQueue): LiveEvent {
  queue.apply(change);
  return { type: "queue", queue: { roomId: change.roomId, questions: queue.questions, count: queue.count } };
}
