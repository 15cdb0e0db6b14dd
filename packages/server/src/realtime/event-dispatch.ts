import type { Logger } from "../core/ports.ts";
import type { Connection, SocketEvents } from "./socket-handlers.ts";
import { refuseUnknownEvent } from "./unknown-events.ts";

/**
 * The last socket middleware: runs the event's handler itself instead of handing the packet on to
 * Socket.IO's per-socket listeners, so a connection holds one dispatcher, not a listener per event.
 * Like Socket.IO, a packet that finished the middleware after its socket disconnected is ignored.
 */
export function dispatchEvents(events: SocketEvents, connection: Connection, logger: Logger) {
  return (packet: unknown[]): void => {
    const { socket } = connection;
    if (!socket.connected) return;
    const [event, ...args] = packet;
    const handler = typeof event === "string" ? events.get(event) : undefined;
    if (handler) handler(connection, args, () => logger.child({ socketId: socket.id }));
    else refuseUnknownEvent(packet);
  };
}
