import type { Ack } from "@tokencast/protocol";

/**
 * An event the wire contract does not name is refused through its ack with `invalid_payload`,
 * instead of leaving the client waiting for an answer that never comes; without an ack it is
 * dropped. `packet` is Socket.IO's: the event name, its arguments, the ack function last.
 */
export function refuseUnknownEvent(packet: unknown[]): void {
  const [event] = packet;
  const ack = packet.at(-1);
  if (typeof ack !== "function") return;
  const name = typeof event === "string" ? JSON.stringify(event.slice(0, 40)) : "without a name";
  const response: Ack<object> = { ok: false, error: { code: "invalid_payload", message: `Unknown event ${name}.` } };
  (ack as (response: Ack<object>) => void)(response);
}
