/** `connectRoom`: a RoomClient, connected and joined. */
import { RoomClient } from "./room-client.ts";
import { RequestError } from "./socket-request.ts";
import type { RoomSyncOptions } from "./sync-types.ts";

export type ConnectRoomOptions = Omit<RoomSyncOptions, "url">;

/**
 * Connects to the Tokencast server at `url` (e.g. "https://tokencast.example", or "" for the
 * page's own origin in a browser) and joins the room. Resolves once joined; rejects with a
 * `RequestError` when the join is refused for good or socket.io gives up connecting.
 */
export async function connectRoom(url: string, options: ConnectRoomOptions): Promise<RoomClient> {
  const room = new RoomClient({ ...options, url });
  const joined = firstJoin(room, url);
  room.connect();
  await joined;
  return room;
}

function firstJoin(room: RoomClient, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = room.on("state", (state) => {
      if (state !== "live" && state !== "offline") return;
      stop();
      if (state === "live") return resolve();
      room.close();
      reject(whyOffline(room, url));
    });
  });
}

function whyOffline(room: RoomClient, url: string): RequestError {
  if (room.lastError) return new RequestError(room.lastError);
  const message = `Could not connect to ${url || "this page's server"}.`;
  return new RequestError({ code: "internal_error", message }, true);
}
