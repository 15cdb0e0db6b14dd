/**
 * Ids of created rooms. A created room's id is recognisable as one (`<slug>_<8 random><4 check>`),
 * so that it can never serve as an ad-hoc room: if its record is lost (expired, or Redis came back
 * empty), the room is gone for everyone instead of turning into a public room of the same id.
 * The check is not secret: forging one only names a room that does not exist.
 */
import { createHash, randomBytes } from "node:crypto";

const RANDOM_CHARS = 8;
const CHECK_CHARS = 4;
const SLUG_CHARS = 40;
const CREATED_ID = new RegExp(`^(.+_[a-z0-9]{${RANDOM_CHARS}})([a-z0-9]{${CHECK_CHARS}})$`);

/** A new id for a room titled `title`: readable slug, random part, check. */
export function createdRoomId(title: string): string {
  const body = `${slugOf(title) || "room"}_${randomChars(RANDOM_CHARS)}`;
  return body + checkOf(body);
}

/** True for an id made by `createdRoomId` (whether or not the room still exists). */
export function isCreatedRoomId(roomId: string): boolean {
  const match = CREATED_ID.exec(roomId);
  return match !== null && checkOf(match[1]!) === match[2];
}

function checkOf(body: string): string {
  return BigInt(`0x${createHash("sha256").update(`tokencast room ${body}`).digest("hex").slice(0, 12)}`)
    .toString(36)
    .padStart(CHECK_CHARS, "0")
    .slice(-CHECK_CHARS);
}

function randomChars(count: number): string {
  return [...randomBytes(count)].map((byte) => (byte % 36).toString(36)).join("");
}

function slugOf(title: string): string {
  return title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9\s-]/g, "")
    .trim()
    .replace(/[\s-]+/g, "-")
    .slice(0, SLUG_CHARS)
    .replace(/^-+|-+$/g, "");
}
