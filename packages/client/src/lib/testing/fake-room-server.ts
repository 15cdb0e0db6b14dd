/**
 * A scripted in-process Socket.IO server speaking the wire contract, for RoomConnection tests.
 * It keeps one delta log per message and lets a test lose a delta on purpose for one socket.
 * Test-only: nothing in the app imports it.
 */
import { createServer } from "node:http";
import type { RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import type { Socket } from "socket.io";
import type {
  Ack,
  ClientToServerEvents,
  Delta,
  EndEvent,
  EmptyResult,
  ErrorPayload,
  Member,
  Message,
  ResumePayload,
  ResumeResult,
  RoomInfo,
  ServerToClientEvents,
} from "@tokencast/protocol";
import { defaultSettings } from "@tokencast/protocol";

type ServerSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const OK_EMPTY: Ack<EmptyResult> = { ok: true };

export class FakeRoomServer {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  readonly messages = new Map<string, Message>();
  readonly logs = new Map<string, Delta[]>();
  readonly resumeRequests: ResumePayload[] = [];
  /** Answers the next join / resume requests with these errors, in order. */
  readonly joinFailures: ErrorPayload[] = [];
  readonly resumeFailures: ErrorPayload[] = [];
  joins = 0;
  url = "";
  private readonly http: ReturnType<typeof createServer>;

  /** `handler` serves plain HTTP requests on the same port (e.g. the built app, for a preview). */
  constructor(
    readonly roomId = "test-room",
    handler?: RequestListener,
  ) {
    this.http = handler ? createServer(handler) : createServer();
    this.io = new Server(this.http);
    this.io.on("connection", (socket) => this.bind(socket));
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.io.close();
  }

  addMessage(message: Message): void {
    this.messages.set(message.id, message);
    this.logs.set(message.id, []);
    this.io.to(this.roomId).emit("chat:message", message);
  }

  /** Appends the next delta to the log and broadcasts it, except to `loseFor` (a socket id). */
  delta(messageId: string, text: string, loseFor?: string): void {
    const message = this.require(messageId);
    const seq = message.seq + 1;
    this.messages.set(messageId, { ...message, text: message.text + text, seq });
    this.logs.get(messageId)?.push({ seq, text });
    const target = loseFor ? this.io.to(this.roomId).except(loseFor) : this.io.to(this.roomId);
    target.emit("chat:delta", { roomId: this.roomId, messageId, seq, text });
  }

  end(messageId: string, patch: Partial<EndEvent> = {}): void {
    const message = this.require(messageId);
    const end: EndEvent = { roomId: this.roomId, messageId, seq: message.seq, status: "done", ...patch };
    this.messages.set(messageId, { ...message, status: end.status, ...(end.stoppedBy ? { stoppedBy: end.stoppedBy } : {}) });
    this.io.to(this.roomId).emit("chat:end", end);
  }

  socketIds(): string[] {
    return [...this.io.sockets.sockets.keys()];
  }

  private bind(socket: ServerSocket): void {
    socket.on("room:join", async (payload, ack) => {
      const failure = this.joinFailures.shift();
      if (failure) return ack({ ok: false, error: failure });
      await socket.join(payload.roomId);
      this.joins++;
      const self: Member = { id: socket.id, name: payload.name, joinedAt: Date.now(), role: "participant" };
      const messages = [...this.messages.values()];
      ack({ ok: true, room: this.roomInfo(), self, members: [self], memberCount: 1, messages, queue: [], queueCount: 0 });
    });
    socket.on("room:leave", (_payload, ack) => ack(OK_EMPTY));
    socket.on("chat:resume", (payload, ack) => ack(this.resume(payload)));
    socket.on("chat:send", (_payload, ack) => ack({ ok: false, error: { code: "busy", message: "busy" } }));
    socket.on("chat:stop", (_payload, ack) => ack(OK_EMPTY));
  }

  private resume(payload: ResumePayload): Ack<ResumeResult> {
    this.resumeRequests.push(payload);
    const failure = this.resumeFailures.shift();
    if (failure) return { ok: false, error: failure };
    const deltas = (this.logs.get(payload.messageId) ?? []).filter((d) => d.seq > payload.afterSeq);
    return { ok: true, deltas, status: this.require(payload.messageId).status };
  }

  private roomInfo(): RoomInfo {
    const settings = defaultSettings("chat", this.roomId);
    return { id: this.roomId, settings, owned: false, model: "fake", demo: true, limits: { maxTextLength: 100, maxNameLength: 40 } };
  }

  private require(messageId: string): Message {
    const message = this.messages.get(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    return message;
  }
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
