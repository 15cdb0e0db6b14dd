import type { Ack } from "@tokencast/protocol";
import type { IoSocket } from "./types.ts";

/**
 * An event the wire contract does not name (no handler on this socket) is refused through its
 * ack with `invalid_payload`, instead of leaving the client waiting for an answer that never
 * comes; without an ack it is dropped. Known events go on to their handlers.
 */
export function refuseUnknownEvents(socket: IoSocket): void {
  socket.use((packet: unknown[], next: (error?: Error) => void) => {
    const [event] = packet;
    if (typeof event === "string" && socket.listeners(event as never).length > 0) return next();
    const ack = packet.at(-1);
    if (typeof ack !== "function") return;
    const name = typeof event === "string" ? JSON.stringify(event.slice(0, 40)) : "without a name";
    const response: Ack<object> = { ok: false, error: { code: "invalid_payload", message: `Unknown event ${name}.` } };
    (ack as (response: Ack<object>) => void)(response);
  });
}
