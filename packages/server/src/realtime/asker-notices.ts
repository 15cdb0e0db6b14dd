import type { QuestionDismissedEvent } from "@tokencast/protocol";
import type { IoServer } from "./types.ts";

/** What one node asks the others to tell an asker. */
export interface AskerNotice {
  event: QuestionDismissedEvent;
  asker: string;
}

/**
 * Tells one asker (by voter id) that their question was dismissed, on whichever nodes their tabs
 * are: each node looks through its own sockets in the room. `fetchSockets()` would ship every
 * member's socket data (a presentation's whole audience) from every node to this one instead.
 */
export function askerNotices(io: IoServer, clustered: boolean): (event: QuestionDismissedEvent, asker: string) => void {
  // Alone (no Redis adapter), there is nobody to tell: the in-memory adapter refuses serverSideEmit.
  if (!clustered) return (event, asker) => tellHere(io, { event, asker });
  io.on("question:dismissed", (notice) => {
    if (isAskerNotice(notice)) tellHere(io, notice);
  });
  return (event, asker) => {
    tellHere(io, { event, asker });
    io.serverSideEmit("question:dismissed", { event, asker });
  };
}

function tellHere(io: IoServer, { event, asker }: AskerNotice): void {
  const namespace = io.of("/");
  for (const id of namespace.adapter.rooms.get(event.roomId) ?? []) {
    const socket = namespace.sockets.get(id);
    if (socket?.data.voter === asker) socket.emit("queue:dismissed", event);
  }
}

/** Another node's notice, checked anyway: a node of another version may say something else. */
function isAskerNotice(notice: unknown): notice is AskerNotice {
  const { event, asker } = (notice ?? {}) as Partial<AskerNotice>;
  return typeof asker === "string" && typeof event?.roomId === "string";
}
