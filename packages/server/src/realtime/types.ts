import type { Server, Socket } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from "@tokencast/protocol";

/** What the server keeps on each socket (never sent to clients; other nodes read it through fetchSockets). */
export interface SocketData {
  /**
   * How each room was joined — with a room token, a room key, or neither — so that any node can drop
   * withdrawn invitations, or share-link members when a room goes private.
   */
  access?: Record<string, { token?: string; key?: boolean }>;
  /** The connection's voter id (fixed at its first join): who a dismissed question's notice goes to. */
  voter?: string;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
