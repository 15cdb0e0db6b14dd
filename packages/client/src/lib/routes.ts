/** The app's two routes, parsed from `location.pathname` (pure, testable). */
import { roomIdSchema } from "@tokencast/protocol";

export type Route = { name: "home" } | { name: "room"; roomId: string } | { name: "not-found"; path: string };

const ROOM_PREFIX = "/r/";

export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { name: "home" };
  if (!pathname.startsWith(ROOM_PREFIX)) return { name: "not-found", path: pathname };
  const roomId = safeDecode(pathname.slice(ROOM_PREFIX.length).replace(/\/+$/, ""));
  return roomId !== undefined && roomIdSchema.safeParse(roomId).success
    ? { name: "room", roomId }
    : { name: "not-found", path: pathname };
}

export function roomPath(roomId: string): string {
  return `${ROOM_PREFIX}${encodeURIComponent(roomId)}`;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed %-escape is just an unknown path: the caller shows "not found".
    return undefined;
  }
}
