/** The app's routes, parsed from `location.pathname`, and room links as people paste them (pure, testable). */
import { joinCodeSchema, roomIdSchema } from "@tokencast/protocol";
import { keyFromHash } from "./room-keys.ts";

export type Route =
  | { name: "home" }
  | { name: "room"; roomId: string }
  /** `/j/<code>`: a join code to look up (then the room's page replaces it). */
  | { name: "join-code"; code: string }
  | { name: "not-found"; path: string };

const ROOM_PREFIX = "/r/";
const JOIN_CODE_PREFIX = "/j/";

export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { name: "home" };
  if (pathname.startsWith(JOIN_CODE_PREFIX)) return joinCodeRoute(pathname);
  if (!pathname.startsWith(ROOM_PREFIX)) return { name: "not-found", path: pathname };
  const roomId = safeDecode(pathname.slice(ROOM_PREFIX.length).replace(/\/+$/, ""));
  return roomId !== undefined && roomIdSchema.safeParse(roomId).success
    ? { name: "room", roomId }
    : { name: "not-found", path: pathname };
}

function joinCodeRoute(pathname: string): Route {
  const code = joinCodeSchema.safeParse(safeDecode(pathname.slice(JOIN_CODE_PREFIX.length).replace(/\/+$/, "")) ?? "");
  return code.success ? { name: "join-code", code: code.data } : { name: "not-found", path: pathname };
}

/** The short address a projector shows: `/j/<code>`. */
export function joinCodePath(code: string): string {
  return `${JOIN_CODE_PREFIX}${code}`;
}

export function roomPath(roomId: string): string {
  return `${ROOM_PREFIX}${encodeURIComponent(roomId)}`;
}

/** True when two routes show the same screen (a fragment change must not re-open a room). */
export function sameRoute(a: Route, b: Route): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface RoomLink {
  roomId: string;
  /** The owner or presenter key of a `#key=` link. */
  key?: string;
}

/** A bare room id, or a pasted link such as `https://host/r/brave-otter-42#key=K`. */
export function roomLinkFrom(input: string): RoomLink {
  const trimmed = input.trim();
  const match = /\/r\/([^/?#]+)[^#]*(#.*)?$/.exec(trimmed);
  if (!match) return { roomId: trimmed };
  const roomId = safeDecode(match[1] ?? "") ?? trimmed;
  const key = keyFromHash(match[2] ?? "");
  return key ? { roomId, key } : { roomId };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed %-escape is just an unknown path: the caller shows "not found".
    return undefined;
  }
}
