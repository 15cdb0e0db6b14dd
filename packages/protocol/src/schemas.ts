import { z } from "zod";

/** Defaults shared by server and client; the server's configured values win and are sent in `RoomInfo.limits`. */
export const DEFAULT_MAX_TEXT_LENGTH = 4000;
export const MAX_NAME_LENGTH = 40;
export const MAX_ROOM_ID_LENGTH = 64;
export const MAX_ID_LENGTH = 64;

/** Room ids are URL-safe slugs: they appear in `/r/<room>`. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export const roomIdSchema = z
  .string()
  .min(1)
  .max(MAX_ROOM_ID_LENGTH)
  .regex(ROOM_ID_PATTERN, "room ids use letters, digits, '-' and '_'");

const idSchema = z.string().min(1).max(MAX_ID_LENGTH);

/** A display name: trimmed, 1..40 characters, no control characters. */
export const nameSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_NAME_LENGTH)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, "names cannot contain control characters");

export const joinPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  name: nameSchema,
  role: z.enum(["participant", "viewer"]).optional(),
  token: z.string().max(4096).optional(),
});

export const leavePayloadSchema = z.strictObject({ roomId: roomIdSchema });

/** Text length is checked by the server against its configured limit (error `text_too_long`). */
export const sendPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  text: z.string().trim().min(1, "text is empty"),
});

export const stopPayloadSchema = z.strictObject({ roomId: roomIdSchema, messageId: idSchema });

export const resumePayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  messageId: idSchema,
  afterSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export type JoinPayload = z.infer<typeof joinPayloadSchema>;
export type LeavePayload = z.infer<typeof leavePayloadSchema>;
export type SendPayload = z.infer<typeof sendPayloadSchema>;
export type StopPayload = z.infer<typeof stopPayloadSchema>;
export type ResumePayload = z.infer<typeof resumePayloadSchema>;
