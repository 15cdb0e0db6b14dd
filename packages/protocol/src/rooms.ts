/**
 * Rooms as a product: settings, roles, the presentation-mode question queue. Shared by the
 * server (which enforces every rule) and the clients (which only reflect them).
 */
import { z } from "zod";
import { displayTextSchema } from "./text-schemas.ts";

export const ROOM_MODES = ["chat", "presentation"] as const;
export type RoomMode = (typeof ROOM_MODES)[number];

/** Roles, most powerful first. Owner and presenter need the room's secret key (see links). */
export const ROLES = ["owner", "presenter", "participant", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** How many members of each role a room has. */
export type RoleCounts = Record<Role, number>;

/** Who may do something: the owner only, owner and presenters, or anyone who may take part (not viewers). */
export const PERMISSION_LEVELS = ["owner", "presenters", "anyone"] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export const MAX_TITLE_LENGTH = 100;
export const MAX_MODEL_LENGTH = 100;
export const MAX_SYSTEM_PROMPT_LENGTH = 4000;
/** Questions waiting in a presentation's queue; the queue refuses more (`queue_full`). */
export const MAX_QUEUED_QUESTIONS = 200;
/** Members see at most this many questions (most votes first): the join ack's `queue`, kept by `queue:changed`. */
export const MAX_LISTED_QUESTIONS = 50;

export interface RoomSettings {
  title: string;
  mode: RoomMode;
  /** Model name sent upstream for this room; absent: the server's default (LLM_MODEL). */
  model?: string;
  /** System prompt of this room; absent: the server's default (LLM_SYSTEM_PROMPT). */
  systemPrompt?: string;
  whoMayPrompt: PermissionLevel;
  whoMayStop: PermissionLevel;
  /** A private room admits only holders of a signed room token or of the owner/presenter key; absent: false. */
  private?: boolean;
  /**
   * Presentations: the audience's questions wait for the owner's or a presenter's approval before
   * anyone else sees them (only owner and presenters are sent them); absent: false.
   */
  approveQuestions?: boolean;
}

/** Defaults by mode: chat rooms let anyone prompt and stop, presentations only presenters. */
export function defaultSettings(mode: RoomMode, title: string): RoomSettings {
  const level: PermissionLevel = mode === "chat" ? "anyone" : "presenters";
  return { title, mode, whoMayPrompt: level, whoMayStop: level };
}

/**
 * Owner and presenters run a presentation: they show its join code, see and approve the questions
 * waiting for approval (whatever the permission levels say).
 */
export function moderates(role: Role): boolean {
  return role === "owner" || role === "presenter";
}

/** True when `role` satisfies `level`. Viewers never prompt or stop. */
export function allows(level: PermissionLevel, role: Role): boolean {
  if (role === "owner") return true;
  if (role === "presenter") return level !== "owner";
  if (role === "participant") return level === "anyone";
  return false;
}

/** The author everyone sees of a question asked anonymously. */
export const ANONYMOUS_AUTHOR = "Anonymous";

/** A question waiting in a presentation's queue. */
export interface QueuedQuestion {
  id: string;
  roomId: string;
  text: string;
  /** Display name of who asked; ANONYMOUS_AUTHOR for an anonymous question. */
  author: string;
  /** Asked anonymously: nobody, presenters included, learns who asked. */
  anonymous?: boolean;
  createdAt: number;
  votes: number;
  /** The queue version of its last change (submitted, voted for): a higher one is a later state. */
  rev: number;
}

/**
 * What the model is doing in a room, as everyone sees it: "queued" (the answer waits for a free
 * upstream slot), "thinking" (started, no text yet), "streaming" (text arriving), "idle".
 */
export type ModelState = "idle" | "queued" | "thinking" | "streaming";

export interface Member {
  /** Socket id: one entry per connection, so the same name in two tabs shows twice. */
  id: string;
  name: string;
  joinedAt: number;
  role: Role;
}

export interface RoomInfo {
  id: string;
  /** Title and rules of the room (defaults for a room nobody created: chat, anyone prompts and stops). */
  settings: RoomSettings;
  /** True when the room was created (POST /api/rooms) and has an owner; false for an ad-hoc room. */
  owned: boolean;
  /** Model that answers in this room. */
  model: string;
  /** True when the built-in demo model answers (no LLM server configured). */
  demo: boolean;
  limits: { maxTextLength: number; maxNameLength: number };
}

/** Returned by `POST /api/rooms`. Keep `ownerKey` secret: it grants the owner role. */
export interface CreateRoomResult {
  room: RoomInfo;
  /** Paths on this server: share (join as participant/viewer), presenter and owner (secret). */
  links: { share: string; presenter: string; owner: string };
  ownerKey: string;
  presenterKey: string;
}

/** Returned by `GET /api/models`: the models the LLM server reports, for a room's model picker. */
export interface ModelsResult {
  /** Model ids as the LLM server lists them (`/v1/models`); empty when it could not be asked. */
  models: string[];
  /** The model a room without its own `model` setting uses. */
  defaultModel: string;
  /** False when the LLM server did not answer with a list (any name may still be typed). */
  listed: boolean;
}

// ---------- schemas ----------

const titleSchema = displayTextSchema(MAX_TITLE_LENGTH, "title");
const modelSchema = z
  .string()
  .trim()
  .min(1)
  .max(MAX_MODEL_LENGTH)
  .regex(/^[\w.:/@+-]+$/, "model names use letters, digits and . : / @ + - _");
const systemPromptSchema = z.string().trim().max(MAX_SYSTEM_PROMPT_LENGTH);

/** Body of `POST /api/rooms`. Omitted permissions take the mode's defaults. */
export const createRoomSchema = z.strictObject({
  title: titleSchema,
  mode: z.enum(ROOM_MODES).default("chat"),
  model: modelSchema.optional(),
  systemPrompt: systemPromptSchema.optional(),
  whoMayPrompt: z.enum(PERMISSION_LEVELS).optional(),
  whoMayStop: z.enum(PERMISSION_LEVELS).optional(),
  private: z.boolean().optional(),
  approveQuestions: z.boolean().optional(),
});

/** Owner only. `model` / `systemPrompt` set to null go back to the server's defaults. */
export const settingsPatchSchema = z
  .strictObject({
    title: titleSchema,
    mode: z.enum(ROOM_MODES),
    model: modelSchema.nullable(),
    systemPrompt: systemPromptSchema.nullable(),
    whoMayPrompt: z.enum(PERMISSION_LEVELS),
    whoMayStop: z.enum(PERMISSION_LEVELS),
    private: z.boolean(),
    approveQuestions: z.boolean(),
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, "nothing to change");

export type CreateRoomInput = z.input<typeof createRoomSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
