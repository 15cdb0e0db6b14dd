/**
 * Test viewers. `viewer()` is the real client socket layer (what the web app uses);
 * `rawClient()` is a bare socket.io-client that records every event, for exact wire assertions.
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { RoomConnection } from "@tokencast/client/connection";
import type {
  ClientToServerEvents,
  DeltaEvent,
  EndEvent,
  JoinResult,
  Message,
  ServerToClientEvents,
} from "@tokencast/protocol";
import { waitFor } from "./wait.ts";

const open = new Set<{ close(): void }>();

export const FAST_SOCKET: Partial<ManagerOptions & SocketOptions> = {
  transports: ["websocket"],
  reconnectionDelay: 50,
  reconnectionDelayMax: 200,
  forceNew: true,
};

export async function viewer(url: string, roomId: string, name: string): Promise<RoomConnection> {
  const connection = new RoomConnection({ url, roomId, name, socketOptions: { ...FAST_SOCKET } });
  open.add(connection);
  connection.connect();
  await waitFor(() => connection.state === "live", { what: `${name} to join ${roomId}` });
  return connection;
}

export function viewers(url: string, roomId: string, count: number): Promise<RoomConnection[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => viewer(url, roomId, `viewer-${i + 1}`)));
}

/** Waits until the connection holds a final status for the message, and returns it. */
export function ended(connection: RoomConnection, messageId: string, timeoutMs = 15_000): Promise<Message> {
  return waitFor(
    () => {
      const message = connection.getMessage(messageId);
      return message && !["pending", "streaming"].includes(message.status) ? message : undefined;
    },
    { timeoutMs, what: `message ${messageId} to end` },
  );
}

export type RawSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RawClient {
  socket: RawSocket;
  deltas: DeltaEvent[];
  ends: EndEvent[];
  messages: Message[];
  emit<E extends keyof ClientToServerEvents>(event: E, payload: unknown): Promise<unknown>;
  join(roomId: string, name: string): Promise<JoinResult>;
  close(): void;
}

export async function rawClient(url: string): Promise<RawClient> {
  const socket: RawSocket = io(url, { ...FAST_SOCKET, reconnection: false });
  const client: RawClient = {
    socket,
    deltas: [],
    ends: [],
    messages: [],
    emit: (event, payload) => (socket.timeout(5000) as unknown as RawEmitter).emitWithAck(event, payload),
    join: async (roomId, name) => {
      const ack = (await client.emit("room:join", { roomId, name })) as { ok: boolean } & JoinResult;
      if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack)}`);
      return ack;
    },
    close: () => socket.close(),
  };
  socket.on("chat:delta", (d) => client.deltas.push(d));
  socket.on("chat:end", (e) => client.ends.push(e));
  socket.on("chat:message", (m) => client.messages.push(m));
  open.add(client);
  await waitFor(() => socket.connected, { what: "raw socket to connect" });
  return client;
}

interface RawEmitter {
  emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
}

export function closeAllClients(): void {
  for (const client of open) client.close();
  open.clear();
}

/**
 * A bare connected socket that claims to come from `forwardedFor` (believed only behind
 * TRUST_PROXY hops); added to `opened` for the caller's cleanup.
 */
export async function socketFrom(url: string, forwardedFor: string, opened: Socket[]): Promise<Socket> {
  const socket = io(url, {
    ...FAST_SOCKET,
    reconnection: false,
    transports: ["websocket"],
    extraHeaders: { "x-forwarded-for": forwardedFor },
  });
  opened.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}
