import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { Logger } from "../core/ports.ts";
import { originAllowed, type CorsOrigins } from "../http/security.ts";
import type { RoomService } from "../core/room-service.ts";
import { clientIp } from "./client-ip.ts";
import type { ByteBudget } from "./byte-budget.ts";
import { limitEvents, type EventLimits } from "./rate-limits.ts";
import { dispatchEvents, receivePackets } from "./event-dispatch.ts";
import { socketEvents } from "./socket-handlers.ts";
import { SocketConnection } from "./socket-connection.ts";
import type { IoServer, IoSocket } from "./types.ts";
import { forgetHandshakeDetails, forgetHandshakeRequest, releaseUpgradeRequests } from "./upgrade-request.ts";

/** Default largest Socket.IO packet accepted from a client (MAX_PACKET_BYTES). */
const DEFAULT_MAX_PACKET_BYTES = 256 * 1024;

/**
 * A handshake from a browser on an origin outside CORS_ORIGINS is refused (403). A client packet
 * over `maxPacketBytes` closes that client's connection (engine.io's own rule); the client
 * reconnects and resumes, the packet is dropped.
 */
export function createSocketServer(
  httpServer: HttpServer,
  origins: CorsOrigins = "*",
  maxPacketBytes = DEFAULT_MAX_PACKET_BYTES,
): IoServer {
  const io: IoServer = new Server(httpServer, {
    maxHttpBufferSize: maxPacketBytes,
    pingInterval: 10_000,
    pingTimeout: 10_000,
    serveClient: false,
    // Deltas are small and go to thousands of sockets: a deflate context per socket would cost far
    // more memory than it saves bandwidth (off is engine.io's default; said here so it stays off).
    perMessageDeflate: false,
    // The <streaming-chat> element is embedded in pages on other sites: CORS_ORIGINS says which
    // (default any). Nothing rides on cookies (credentials: false).
    cors: { origin: origins === "*" ? true : origins, credentials: false },
    allowRequest: (req, callback) => callback(null, originAllowed(origins, req.headers.origin)),
  });
  releaseUpgradeRequests(io);
  return io;
}

export interface EdgeLimits {
  events: EventLimits;
  /** Bytes of join and history acks per client IP (RATE_BYTES_PER_IP). */
  bytes?: ByteBudget;
  /** Proxies in front of the nodes whose X-Forwarded-For is believed (TRUST_PROXY). */
  trustedHops: number;
}

export function attachRooms(io: IoServer, rooms: RoomService, logger: Logger, limits?: EdgeLimits): void {
  const receive = receivePackets(socketEvents(rooms), logger, limits && limitEvents(limits.events));
  // One listener for every socket (Socket.IO calls it with the socket as `this`): no closure per connection.
  function onDisconnect(this: IoSocket): void {
    rooms.disconnect(this.id);
    limits?.events.forget(this.id);
  }
  io.on("connection", (socket) => {
    const { address, headers } = socket.handshake;
    const ip = clientIp(address, headers["x-forwarded-for"], limits?.trustedHops ?? 0);
    forgetHandshakeRequest(socket);
    forgetHandshakeDetails(socket);
    rooms.connect(socket.id, ip);
    socket.use(dispatchEvents(receive, new SocketConnection(socket, ip, limits?.bytes)));
    socket.on("disconnect", onDisconnect);
  });
}
