import { z } from "zod";
import { MAX_MEMBER_CURSOR_LENGTH, readMemberCursor } from "./member-cursor.ts";
import { settingsPatchSchema } from "./rooms.ts";
import { displayTextSchema, questionTextSchema } from "./text-schemas.ts";

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

/** A display name, normalised (NFC, no control characters, trimmed): 1..40 characters. Joins and room tokens. */
export const nameSchema = displayTextSchema(MAX_NAME_LENGTH, "name");

export const joinPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  name: nameSchema,
  /** The role to take without a key; default: participant in chat rooms, viewer in presentations. */
  role: z.enum(["participant", "viewer"]).optional(),
  /** The room's owner or presenter key (from the links POST /api/rooms returns). */
  key: z.string().min(1).max(200).optional(),
  token: z.string().max(4096).optional(),
  /** Ignored (votes follow `voter`); still accepted so that older clients can join. */
  clientId: z
    .string()
    .min(8)
    .max(64)
    .regex(/^[\w-]+$/)
    .optional(),
  /**
   * The signed voter id an earlier join returned (`JoinResult.voter`, kept in localStorage): votes
   * count once per voter. A forged or unknown one is not believed (the join still succeeds).
   */
  voter: z.string().max(200).optional(),
});

export const leavePayloadSchema = z.strictObject({ roomId: roomIdSchema });

/** Text length is checked by the server against its configured limit (error `text_too_long`). */
export const sendPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  text: questionTextSchema,
  /**
   * Ask once: "the room's answer to this prompt". When the room already has an answer to the same
   * text (whitespace aside) asked this way, the server returns it (`shared: true`) instead of asking
   * again; only a failed (error, interrupted) one is asked anew. The embed sends its prompt so.
   */
  shared: z.boolean().optional(),
});

export const stopPayloadSchema = z.strictObject({ roomId: roomIdSchema, messageId: idSchema });

/** Owner and presenters: replay a finished answer at its original pace for everyone in the room. */
export const replayPayloadSchema = z.strictObject({ roomId: roomIdSchema, messageId: idSchema });

export const resumePayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  messageId: idSchema,
  afterSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const updateRoomPayloadSchema = z.strictObject({ roomId: roomIdSchema, settings: settingsPatchSchema });

export const typingPayloadSchema = z.strictObject({ roomId: roomIdSchema, typing: z.boolean() });

/** Text length is checked against the server's limit, as for chat:send. */
export const queueSubmitPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  text: questionTextSchema,
  /** Shown as ANONYMOUS_AUTHOR to everyone, presenters too (the name is not kept). */
  anonymous: z.boolean().optional(),
});

export const questionPayloadSchema = z.strictObject({ roomId: roomIdSchema, questionId: idSchema });

/** The asker's new wording of a question still in the queue (same rules as a submitted one). */
export const queueEditPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  questionId: idSchema,
  text: questionTextSchema,
});

/** Regenerates the answer `messageId` (an assistant message): a new answer to the same question. */
export const regeneratePayloadSchema = z.strictObject({ roomId: roomIdSchema, messageId: idSchema });

/** Most messages one `room:history` page may ask for. */
export const MAX_HISTORY_PAGE = 100;

/** Older history: a page of at most `limit` messages ending just before the message `before`. */
export const historyPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  before: idSchema,
  limit: z.number().int().min(1).max(MAX_HISTORY_PAGE),
});

/** Most members one `room:members` page may ask for, and how many it gets when it does not say. */
export const MAX_MEMBER_PAGE = 200;
export const DEFAULT_MEMBER_PAGE = 100;

/** A page of the room's members, in presence order, after the cursor `after` (from the start without one). */
export const membersPayloadSchema = z.strictObject({
  roomId: roomIdSchema,
  after: z
    .string()
    .max(MAX_MEMBER_CURSOR_LENGTH)
    .refine((cursor) => readMemberCursor(cursor) !== undefined, "not a cursor from an earlier page's `next`")
    .optional(),
  limit: z.number().int().min(1).max(MAX_MEMBER_PAGE).default(DEFAULT_MEMBER_PAGE),
});

export type JoinPayload = z.infer<typeof joinPayloadSchema>;
export type LeavePayload = z.infer<typeof leavePayloadSchema>;
export type SendPayload = z.infer<typeof sendPayloadSchema>;
export type StopPayload = z.infer<typeof stopPayloadSchema>;
export type ReplayPayload = z.infer<typeof replayPayloadSchema>;
export type ResumePayload = z.infer<typeof resumePayloadSchema>;
export type UpdateRoomPayload = z.infer<typeof updateRoomPayloadSchema>;
export type TypingPayload = z.infer<typeof typingPayloadSchema>;
export type QueueSubmitPayload = z.infer<typeof queueSubmitPayloadSchema>;
export type QuestionPayload = z.infer<typeof questionPayloadSchema>;
export type QueueEditPayload = z.infer<typeof queueEditPayloadSchema>;
export type RegeneratePayload = z.infer<typeof regeneratePayloadSchema>;
export type HistoryPayload = z.infer<typeof historyPayloadSchema>;
/** What a client sends (`limit` may be left out); the server reads it as `MembersRequest`. */
export type MembersPayload = z.input<typeof membersPayloadSchema>;
export type MembersRequest = z.infer<typeof membersPayloadSchema>;
