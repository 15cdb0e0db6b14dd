/**
 * Join codes: short, human-typable codes a projector shows so an audience can find a public room
 * (`/j/<code>`, or the code field on the home page). A code names a room, nothing more: it grants
 * no role and no access a room's share link would not.
 */
import { z } from "zod";
import { roomIdSchema } from "./schemas.ts";

/** Letters and digits nobody confuses when reading them off a wall (no 0/O, 1/I/L). */
export const JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const JOIN_CODE_LENGTH = 6;

/** A typed code as it is stored: upper case, without the spaces or dashes people type. */
export function normalizeJoinCode(input: string): string {
  return input.replace(/[\s-]/g, "").toUpperCase();
}

const JOIN_CODE_PATTERN = new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`);

/** A join code as typed (any case, spaces and dashes allowed), parsed to its stored form. */
export const joinCodeSchema = z
  .string()
  .max(32)
  .transform(normalizeJoinCode)
  .pipe(
    z.string().regex(JOIN_CODE_PATTERN, `a join code is ${JOIN_CODE_LENGTH} letters and digits (no 0, O, 1, I or L)`),
  );

/** `room:join-code`: the room whose code its owner or a presenter wants to show. */
export const joinCodePayloadSchema = z.strictObject({ roomId: roomIdSchema });
export type JoinCodePayload = z.infer<typeof joinCodePayloadSchema>;

/** `GET /api/join-codes/:code`: the room the code names. */
export interface JoinCodeResult {
  roomId: string;
}
