/**
 * The attributes of `<streaming-chat>`, read and checked. A problem is returned as a message to
 * show inside the element (a page author sees it where the chat should be), never thrown.
 */
import {
  MAX_NAME_LENGTH,
  MAX_ROOM_ID_LENGTH,
  ROOM_ID_PATTERN,
  hasLoneSurrogate,
  normaliseDisplayText,
} from "@tokencast/protocol";
import type { RoomConnectionOptions } from "../lib/room-connection.ts";

export const DEFAULT_NAME = "Guest";

export interface EmbedOptions {
  /** Origin of the Tokencast server, e.g. "https://chat.example.com". */
  server: string;
  roomId: string;
  name: string;
  /** Sent once, the first time the element is seen. */
  prompt?: string;
  /** Access token passed along when joining. */
  token?: string;
  /** A finished answer this element shows: replayed at its original pace ("paced"), or at once ("instant"). */
  replay: ReplayMode;
  /** Ask the prompt anew even when the room already has an answer to it (attribute `fresh`). */
  fresh: boolean;
}

export type ReplayMode = "paced" | "instant";

export type OptionsResult = { ok: true; options: EmbedOptions } | { ok: false; problem: string };

/** How the element joins its room: as a participant, with its access token when it has one. */
export function connectionOptions(options: EmbedOptions): RoomConnectionOptions {
  const { server, roomId, name, token } = options;
  return { url: server, roomId, name, role: "participant", ...(token ? { token } : {}) };
}

/** Reads the element's attributes; `defaultServer` is where the script was loaded from. */
export function readOptions(element: Element, defaultServer: string): OptionsResult {
  const roomId = element.getAttribute("room")?.trim() ?? "";
  const roomProblem = checkRoom(roomId);
  if (roomProblem) return { ok: false, problem: roomProblem };
  const server = resolveServer(element.getAttribute("server"), defaultServer);
  if (!server)
    return { ok: false, problem: `The server attribute is not an http(s) URL: "${element.getAttribute("server")}".` };
  return {
    ok: true,
    options: {
      server,
      roomId,
      name: cleanName(element.getAttribute("name")),
      prompt: nonEmpty(element.getAttribute("prompt")),
      token: nonEmpty(element.getAttribute("token")),
      replay: element.getAttribute("replay")?.trim().toLowerCase() === "instant" ? "instant" : "paced",
      fresh: element.hasAttribute("fresh"),
    },
  };
}

function checkRoom(roomId: string): string | undefined {
  if (roomId === "") return 'This chat needs a room: add room="…" to <streaming-chat>.';
  if (roomId.length > MAX_ROOM_ID_LENGTH || !ROOM_ID_PATTERN.test(roomId)) {
    return `"${roomId}" is not a room id: use up to ${MAX_ROOM_ID_LENGTH} letters, digits, '-' and '_'.`;
  }
  return undefined;
}

/** The origin of `value` (relative URLs resolve against the page), or of `fallback` when absent. */
function resolveServer(value: string | null, fallback: string): string | undefined {
  const raw = value?.trim() || fallback;
  try {
    const url = new URL(raw, document.baseURI);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    // Not a URL at all: reported to the page author like any other unusable value.
    return undefined;
  }
}

/** A display name the server accepts: normalised as the server does, at most MAX_NAME_LENGTH, else "Guest". */
function cleanName(value: string | null): string {
  const name = normaliseDisplayText(value ?? "");
  if (hasLoneSurrogate(name)) return DEFAULT_NAME;
  return normaliseDisplayText([...name].slice(0, MAX_NAME_LENGTH).join("")) || DEFAULT_NAME;
}

function nonEmpty(value: string | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
