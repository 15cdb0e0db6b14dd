import { ServerResponse, type IncomingHttpHeaders } from "node:http";
import type { IoServer, IoSocket } from "./types.ts";

/**
 * An idle viewer holds no handshake request. engine.io keeps the WebSocket upgrade request
 * (IncomingMessage, raw headers, stream state) twice for the connection's whole life: on its
 * socket (`request`) and through the response stand-in it gives its middlewares, which a `close`
 * listener on the TCP socket retains. The Socket.IO handshake copies what we read (address,
 * headers, query) when the client connects; nothing reads the request after that.
 */
export function releaseUpgradeRequests(io: IoServer): void {
  // Registered after engine.io's own CORS middleware, so it runs last: no later middleware sets a
  // header through the stand-in. Polling requests get a real ServerResponse, which is left alone.
  io.engine.use((_req: unknown, res: unknown, next: () => void) => {
    if (!(res instanceof ServerResponse)) (res as { req?: unknown }).req = undefined;
    next();
  });
}

/** Called once Socket.IO built the socket's handshake (on "connection"), which reads the request. */
export function forgetHandshakeRequest(socket: IoSocket): void {
  (socket.conn as unknown as { request?: unknown }).request = undefined;
}

/** Shared by every slimmed handshake; frozen so that no socket can write into another's. */
const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});
const NOTHING = Object.freeze({});

/**
 * An idle viewer keeps no copy of its request's headers, query or auth either: Socket.IO's
 * handshake holds them for the connection's whole life (a browser sends ~1 KB of headers), but the
 * server reads them once, on "connection" (the client IP). What stays: address, time, issued.
 */
export function forgetHandshakeDetails(socket: IoSocket): void {
  Object.assign(socket.handshake, { headers: NO_HEADERS, query: NOTHING, auth: NOTHING, url: "" });
}
