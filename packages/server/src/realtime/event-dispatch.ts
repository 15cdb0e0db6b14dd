import type { Logger } from "../core/ports.ts";
import type { Connection, SocketEvents } from "./socket-handlers.ts";
import { refuseUnknownEvent } from "./unknown-events.ts";

/**
 * Lets a connection's packet through (true), or refuses it (false) after answering it itself,
 * e.g. the event rate limits.
 */
export type PacketGate = (connection: Connection, packet: unknown[]) => Promise<boolean>;

/** Runs one connection's packet: built once per server, so a connection only holds its `Connection`. */
export type PacketReceiver = (connection: Connection, packet: unknown[]) => void;

/**
 * Runs each packet's handler itself (the last socket middleware) instead of handing it on to
 * Socket.IO's per-socket listeners, after the gate when there is one: a connection holds one
 * middleware closure over its `Connection`, not a listener per event nor a closure per check.
 * Like Socket.IO, a packet that was let through after its socket disconnected is ignored.
 */
export function receivePackets(events: SocketEvents, logger: Logger, gate?: PacketGate): PacketReceiver {
  const run = (connection: Connection, packet: unknown[]) => dispatch(events, logger, connection, packet);
  if (!gate) return run;
  return (connection, packet) => {
    void gate(connection, packet).then((admitted) => {
      if (admitted) run(connection, packet);
    });
  };
}

/** The socket middleware of one connection. */
export function dispatchEvents(receive: PacketReceiver, connection: Connection) {
  return (packet: unknown[]): void => receive(connection, packet);
}

function dispatch(events: SocketEvents, logger: Logger, connection: Connection, packet: unknown[]): void {
  const { socket } = connection;
  if (!socket.connected) return;
  const [event, ...args] = packet;
  const handler = typeof event === "string" ? events.get(event) : undefined;
  if (handler) handler(connection, args, () => logger.child({ socketId: socket.id }));
  else refuseUnknownEvent(packet);
}
