/**
 * The rooms this browser created or joined, newest first, for the home page and so that coming
 * back (a reload, a link) does not ask for the display name again. Kept in localStorage
 * (`tokencast:rooms`), bounded; holds no secret: a room's key or token stays in RoomKeys.
 * Entries that do not read back as expected are dropped, never trusted.
 */
import { ROLES, nameSchema, roomIdSchema, type Role } from "@tokencast/protocol";
import { browserStorage, type KeyStorage } from "./room-keys.ts";

const STORAGE_KEY = "tokencast:rooms";
/** Rooms remembered at most; the least recently visited go first. */
export const MAX_KNOWN_ROOMS = 30;
const MAX_TITLE_CHARS = 200;

export interface KnownRoom {
  roomId: string;
  title: string;
  /** The role this browser had there last time. */
  role: Role;
  /** The display name it joined with (asked again only if it is no longer valid). */
  name: string;
  /** Epoch milliseconds of the last visit. */
  visitedAt: number;
}

export class KnownRooms {
  /** This tab's copy, for when storage is unavailable. */
  private memory: KnownRoom[] = [];

  constructor(
    private readonly storage: KeyStorage | undefined = browserStorage(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Newest first. */
  list(): KnownRoom[] {
    return this.read() ?? this.memory;
  }

  get(roomId: string): KnownRoom | undefined {
    return this.list().find((room) => room.roomId === roomId);
  }

  /** Records a visit: the room moves to the front with what it is called and who this browser was there. */
  remember(room: Omit<KnownRoom, "visitedAt">): void {
    const entry = { ...room, title: room.title.slice(0, MAX_TITLE_CHARS), visitedAt: this.now() };
    if (!isKnownRoom(entry)) return;
    const others = this.list().filter((known) => known.roomId !== room.roomId);
    this.write([entry, ...others].slice(0, MAX_KNOWN_ROOMS));
  }

  /** Takes a room off the list (its key, if any, stays: opening the room again still works). */
  forget(roomId: string): void {
    this.write(this.list().filter((known) => known.roomId !== roomId));
  }

  private read(): KnownRoom[] | undefined {
    try {
      const raw = this.storage?.getItem(STORAGE_KEY);
      if (raw === null || raw === undefined) return undefined;
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isKnownRoom).slice(0, MAX_KNOWN_ROOMS) : undefined;
    } catch {
      // Storage denied or its content mangled: this tab's copy stands in.
      return undefined;
    }
  }

  private write(rooms: KnownRoom[]): void {
    this.memory = rooms;
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(rooms));
    } catch {
      // Storage full or denied: the list lasts as long as this tab.
    }
  }
}

function isKnownRoom(value: unknown): value is KnownRoom {
  if (typeof value !== "object" || value === null) return false;
  const room = value as Record<string, unknown>;
  return (
    roomIdSchema.safeParse(room.roomId).success &&
    typeof room.title === "string" &&
    room.title.length <= MAX_TITLE_CHARS &&
    (ROLES as readonly unknown[]).includes(room.role) &&
    nameSchema.safeParse(room.name).success &&
    typeof room.visitedAt === "number"
  );
}
