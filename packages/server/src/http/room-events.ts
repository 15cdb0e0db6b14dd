/**
 * `GET /api/rooms/:id/events`: a room's messages and deltas as Server-Sent Events, for clients
 * without Socket.IO (curl, EventSource, server-side consumers). See docs/sse.md.
 *
 * Each request joins the room as a viewer in process (room-viewer.ts: the core's own join, history
 * and resume, the limits of the client's IP, every node's events through the adapter);
 * `RoomStream` turns the snapshot and live events into SSE events with resumable ids.
 */
import type { Request, RequestHandler, Response } from "express";
import { roomIdSchema, type JoinPayload } from "@tokencast/protocol";
import { AppError, toErrorPayload } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";
import { httpStatusFor } from "./error-status.ts";
import { bearerToken } from "./credentials.ts";
import { RoomStream, SlowConsumerError } from "./room-stream.ts";
import type { RoomViewer } from "./room-viewer.ts";
import { snapshotSince } from "./sse-snapshot.ts";
import { formatComment, formatEvent, formatRetry, SSE_HEADERS } from "./sse-writer.ts";

export interface RoomEventsOptions {
  /** A viewer of rooms acting for the client at `ip` (room-viewer.ts). */
  openViewer: (ip: string) => RoomViewer;
  /** A `: ping` comment this often keeps proxies from timing the stream out. */
  heartbeatMs: number;
  /**
   * Sending pauses while a consumer has this many bytes unread; when live events waiting for it
   * pass this too, it is cut off (it reconnects and resumes from the log).
   */
  maxBufferBytes: number;
  logger: Logger;
  /** The client's IP (behind TRUST_PROXY hops): its viewer counts against that IP's limits. */
  clientIp: (req: Request) => string;
}

/** What an EventSource waits before reconnecting (after a drop, a drain or a slow-consumer cut). */
export const RETRY_MS = 2000;
const DEFAULT_NAME = "SSE viewer";

interface EventsRequest {
  join: JoinPayload;
  lastEventId: string | undefined;
}

export interface RoomEvents {
  handler: RequestHandler;
  /**
   * Ends every open stream (their consumers reconnect, elsewhere) and refuses new ones; resolves
   * once the responses are finished (within CLOSE_WAIT_MS).
   */
  close(): Promise<void>;
}

/** How long `close()` waits for ended responses to be handed to their connections. */
const CLOSE_WAIT_MS = 2000;

export function createRoomEvents(options: RoomEventsOptions): RoomEvents {
  const sessions = new Set<Session>();
  let closing = false;
  return {
    handler: (req, res) => {
      if (closing)
        return refuse(
          res,
          new AppError("server_shutdown", "This server is restarting; reconnect in a moment."),
          options.logger,
        );
      void serve(req, res, options, sessions);
    },
    close: async () => {
      closing = true;
      await Promise.all([...sessions].map((session) => session.close(CLOSE_WAIT_MS)));
    },
  };
}

async function serve(req: Request, res: Response, options: RoomEventsOptions, sessions: Set<Session>): Promise<void> {
  const parsed = readRequest(req);
  if (parsed instanceof AppError) return refuse(res, parsed, options.logger);
  const viewer = options.openViewer(options.clientIp(req));
  let session: Session | undefined;
  try {
    const current = new Session(req, res, viewer, parsed, options);
    session = current;
    sessions.add(current);
    res.on("close", () => sessions.delete(current));
    current.open(await snapshotSince(viewer, parsed.join, parsed.lastEventId));
  } catch (error) {
    if (session) sessions.delete(session);
    viewer.close();
    refuse(res, error, options.logger);
  }
}

function readRequest(req: Request): EventsRequest | AppError {
  const roomId = roomIdSchema.safeParse(req.params.id);
  if (!roomId.success)
    return new AppError("invalid_payload", `Invalid room id. ${roomId.error.issues[0]?.message ?? ""}`.trim());
  const name = queryString(req, "name") ?? DEFAULT_NAME;
  const token = queryString(req, "token") ?? bearerToken(req.get("authorization"));
  const lastEventId = req.get("last-event-id") ?? queryString(req, "lastEventId");
  return {
    join: { roomId: roomId.data, name, role: "viewer", ...(token !== undefined ? { token } : {}) },
    lastEventId,
  };
}

function queryString(req: Request, key: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[key];
  return typeof value === "string" ? value : undefined;
}

/** Before any event: a JSON error with the status its code calls for. */
function refuse(res: Response, error: unknown, logger: Logger): void {
  const payload = toErrorPayload(error);
  if (payload.code === "internal_error") logger.error({ err: error }, "SSE viewer could not start");
  if (res.headersSent || res.destroyed) return void res.end();
  if (payload.retryAfter !== undefined) res.setHeader("Retry-After", String(payload.retryAfter));
  res.status(httpStatusFor(payload.code)).json({ ok: false, error: payload });
}

/** One open event stream: the response, its viewer, the heartbeat. */
class Session {
  private readonly stream: RoomStream;
  private heartbeat: NodeJS.Timeout | undefined;
  private opened = false;
  private finished = false;

  constructor(
    private readonly req: Request,
    private readonly res: Response,
    private readonly viewer: RoomViewer,
    private readonly request: EventsRequest,
    private readonly options: RoomEventsOptions,
  ) {
    const roomId = request.join.roomId;
    this.stream = new RoomStream({
      send: (event) => this.write(formatEvent(event)),
      comment: (text) => this.write(formatComment(text)),
      resume: (messageId, afterSeq) => viewer.resume(roomId, messageId, afterSeq),
      snapshot: async () => (await viewer.join(request.join)).messages,
      drained: () => this.drained(),
      fail: (error) => this.failed(error),
      maxPendingBytes: options.maxBufferBytes,
    });
    // Live events that arrive before the join's answer wait in the stream for its snapshot.
    viewer.onEvent((event) => this.stream.push(event));
    viewer.onLost((reason) => this.finish(`dropped by the server (${reason})`));
    res.on("close", () => this.finish("consumer closed the stream"));
  }

  /** Headers at once, then the history (from where the consumer stopped) and the live events. */
  open(messages: Parameters<RoomStream["start"]>[0]): void {
    if (this.finished || this.res.destroyed)
      throw new AppError("server_shutdown", "The stream closed while joining the room.");
    this.opened = true;
    this.req.socket.setNoDelay(true);
    this.req.socket.setTimeout(0);
    this.res.writeHead(200, SSE_HEADERS);
    this.res.flushHeaders();
    this.write(formatRetry(RETRY_MS));
    this.stream.start(messages, this.request.lastEventId);
    this.heartbeat = setInterval(() => this.write(": ping\n\n"), this.options.heartbeatMs);
  }

  private write(frame: string): void {
    if (this.finished) return;
    this.res.write(frame);
  }

  /** Resolves when the response has less than the bound waiting for the consumer (or is gone). */
  private drained(): Promise<void> {
    if (this.finished || this.res.writableLength <= this.options.maxBufferBytes) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }

  /** Ends the stream; resolves once the response is finished or gone (at most `waitMs`). */
  close(waitMs: number): Promise<void> {
    const done = new Promise<void>((resolve) => {
      if (this.res.writableFinished || this.res.destroyed) return resolve();
      const timer = setTimeout(resolve, waitMs);
      const settle = () => {
        clearTimeout(timer);
        resolve();
      };
      this.res.once("finish", settle);
      this.res.once("close", settle);
    });
    this.finish("node shutting down");
    return done;
  }

  private failed(error: unknown): void {
    const roomId = this.request.join.roomId;
    if (error instanceof SlowConsumerError)
      this.options.logger.info(
        { roomId, reason: error.message },
        "slow SSE consumer cut off (it resumes with Last-Event-ID)",
      );
    else
      this.options.logger.warn({ err: error, roomId }, "SSE stream could not go on; ending it (the consumer resumes)");
    this.finish("stream failed");
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.heartbeat);
    this.stream.stop();
    this.viewer.close();
    this.options.logger.debug({ roomId: this.request.join.roomId, reason }, "SSE viewer finished");
    // Before open(), serve() answers (with an error) or the consumer has already gone.
    if (this.opened) this.res.end();
  }
}
