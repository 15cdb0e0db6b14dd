/**
 * The socket edge in process, on a real Socket.IO server and client: one dispatcher per connection
 * runs the wire contract's handlers and refuses unknown events; an idle connection keeps no
 * handshake request (engine.io's socket or the upgrade response stand-in), while the handshake
 * still has what the server reads from it.
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
import { forgetHandshakeRequest } from "../packages/server/src/realtime/upgrade-request.ts";
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

beforeAll(async () => {
  http = createServer();
  io = createSocketServer(http);
  // After the release (last): what the upgrade response stand-in still holds.
  io.engine.use((_req: unknown, res: { req?: unknown }, next: () => void) => {
    upgradeRequests.push(res.req);
    next();
  });
  io.on("connection", (socket) => {
    forgetHandshakeRequest(socket);
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

  it("keeps no upgrade request once connected, and the handshake keeps its headers", async () => {
    const socket = await client();
    try {
      const server = await waitFor(() => connected.find((s) => s.id === socket.id));
      expect(server.request).toBeUndefined();
      expect(server.handshake.headers.upgrade).toBe("websocket");
      expect(upgradeRequests.length).toBeGreaterThan(0);
      expect(upgradeRequests.every((req) => req === undefined)).toBe(true);
    } finally {
      socket.close();
    }
  });
});
