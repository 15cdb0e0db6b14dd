/**
 * The socket edge in process, on a real Socket.IO server and client: one dispatcher per connection
 * runs the wire contract's handlers and refuses unknown events; an idle connection keeps no
 * handshake request (engine.io's socket or the upgrade response stand-in), and its handshake keeps
 * no headers, query or auth once the server read them.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect, type Socket as ClientSocket } from "socket.io-client";
import { leavePayloadSchema } from "@tokencast/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchEvents, receivePackets } from "../packages/server/src/realtime/event-dispatch.ts";
import { handle, type EventHandler } from "../packages/server/src/realtime/handle.ts";
import { unmetered } from "../packages/server/src/realtime/byte-budget.ts";
import type { Connection } from "../packages/server/src/realtime/socket-handlers.ts";
import { createSocketServer } from "../packages/server/src/realtime/socket-server.ts";
import type { IoServer, IoSocket } from "../packages/server/src/realtime/types.ts";
import { forgetHandshakeDetails, forgetHandshakeRequest } from "../packages/server/src/realtime/upgrade-request.ts";
import { waitFor } from "./helpers/wait.ts";
import type { Logger } from "../packages/server/src/core/ports.ts";

const silent: Logger = { child: () => silent, debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

const events = new Map<string, EventHandler<Connection>>([
  ["echo", handle(leavePayloadSchema, async ({ roomId }, { socket }) => ({ roomId, from: socket.id }))],
]);

let http: HttpServer;
let io: IoServer;
let url: string;
const upgradeRequests: unknown[] = [];
const connected: IoSocket[] = [];
const seenHeaders = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  http = createServer();
  io = createSocketServer(http);
  // After the release (last): what the upgrade response stand-in still holds.
  io.engine.use((_req: unknown, res: { req?: unknown }, next: () => void) => {
    upgradeRequests.push(res.req);
    next();
  });
  io.on("connection", (socket) => {
    // What attachRooms reads first (the client IP), before the handshake forgets its headers.
    seenHeaders.set(socket.id, socket.handshake.headers);
    forgetHandshakeRequest(socket);
    forgetHandshakeDetails(socket);
    socket.use(dispatchEvents(receivePackets(events, silent), { socket, ip: "127.0.0.1", meter: unmetered }));
    connected.push(socket);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await io.close();
});

async function client(): Promise<ClientSocket> {
  const socket = connect(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

describe("socket dispatch", () => {
  it("runs a known event's handler with its connection and refuses an unknown event through its ack", async () => {
    const socket = await client();
    try {
      expect(await socket.emitWithAck("echo", { roomId: "hi" })).toEqual({ ok: true, roomId: "hi", from: socket.id });
      expect(await socket.emitWithAck("echo", { roomId: 3 })).toMatchObject({
        ok: false,
        error: { code: "invalid_payload" },
      });
      expect(await socket.emitWithAck("nope", {})).toEqual({
        ok: false,
        error: { code: "invalid_payload", message: 'Unknown event "nope".' },
      });
    } finally {
      socket.close();
    }
  });

  it("keeps no upgrade request once connected, nor the handshake's headers, query or auth", async () => {
    const socket = connect(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { k: 1 } });
    try {
      await new Promise<void>((resolve) => socket.once("connect", resolve));
      const server = await waitFor(() => connected.find((s) => s.id === socket.id));
      expect(server.request).toBeUndefined();
      expect(upgradeRequests.length).toBeGreaterThan(0);
      expect(upgradeRequests.every((req) => req === undefined)).toBe(true);
      expect(seenHeaders.get(server.id)?.upgrade).toBe("websocket");
      const { headers, query, auth, url: path, address } = server.handshake;
      expect({ headers, query, auth, path }).toEqual({ headers: {}, query: {}, auth: {}, path: "" });
      expect(address).toBe("127.0.0.1");
      expect(Object.isFrozen(headers)).toBe(true);
    } finally {
      socket.close();
    }
  });
});
