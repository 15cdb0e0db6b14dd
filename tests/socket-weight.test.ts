/**
 * What an idle connection holds at the socket edge (attachRooms, event limits on): one socket
 * middleware, the disconnect listener every socket shares, and a handshake without headers; while
 * the limits still refuse an event over them and a disconnect still reaches the room service.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../packages/server/src/core/ports.ts";
import type { RoomService } from "../packages/server/src/core/room-service.ts";
import { createEventLimits } from "../packages/server/src/realtime/rate-limits.ts";
import { attachRooms, createSocketServer } from "../packages/server/src/realtime/socket-server.ts";
import type { IoServer, IoSocket } from "../packages/server/src/realtime/types.ts";
import { memoryLimiters } from "../packages/server/src/store/limiters.ts";
import { waitFor } from "./helpers/wait.ts";

const silent: Logger = { child: () => silent, debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const EVENTS_PER_CONNECTION = 2;

/** The room service as the edge uses it for connecting sockets: who connected, from where, who left. */
const seen = { connected: new Map<string, string>(), disconnected: new Set<string>() };
const rooms = {
  connect: (id: string, ip: string) => seen.connected.set(id, ip),
  disconnect: (id: string) => seen.disconnected.add(id),
  leave: () => undefined,
} as unknown as RoomService;

let http: HttpServer;
let io: IoServer;
let url: string;

beforeAll(async () => {
  http = createServer();
  io = createSocketServer(http);
  const settings = { perConnection: EVENTS_PER_CONNECTION, perIp: 1000, windowSeconds: 1 };
  attachRooms(io, rooms, silent, { events: createEventLimits(settings, silent, memoryLimiters()), trustedHops: 1 });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await io.close();
});

async function client(): Promise<ClientSocket> {
  const socket = connect(url, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    extraHeaders: { "x-forwarded-for": "203.0.113.7" },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

function serverSocket(id: string | undefined): IoSocket {
  const socket = io.of("/").sockets.get(id ?? "");
  if (!socket) throw new Error(`no server socket ${id}`);
  return socket;
}

describe("an idle connection's weight at the socket edge", () => {
  it("holds one middleware and the shared disconnect listener, and its handshake no headers", async () => {
    const [a, b] = [await client(), await client()];
    try {
      const [sa, sb] = [serverSocket(a.id), serverSocket(b.id)];
      expect(seen.connected.get(sa.id)).toBe("203.0.113.7");
      expect((sa as unknown as { fns: unknown[] }).fns).toHaveLength(1);
      expect(sa.listeners("disconnect")).toHaveLength(1);
      expect(sa.listeners("disconnect")[0]).toBe(sb.listeners("disconnect")[0]);
      expect(sa.handshake.headers).toEqual({});
    } finally {
      a.close();
      b.close();
    }
  });

  it("still limits events through that one middleware, and tells the room service of a disconnect", async () => {
    const socket = await client();
    const id = socket.id!;
    const replies = [];
    for (let i = 0; i <= EVENTS_PER_CONNECTION; i++)
      replies.push(await socket.emitWithAck("room:leave", { roomId: "r" }));
    expect(replies.slice(0, EVENTS_PER_CONNECTION)).toEqual(Array(EVENTS_PER_CONNECTION).fill({ ok: true }));
    expect(replies.at(-1)).toMatchObject({ ok: false, error: { code: "rate_limited" } });
    socket.close();
    await waitFor(() => seen.disconnected.has(id), { what: "the disconnect to reach the room service" });
  });
});
