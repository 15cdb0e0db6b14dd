/**
 * The fields of a room's settings as a form edits them (strings, "" for "the server's default"),
 * and their conversion to the two requests that take them: `POST /api/rooms` (create) and
 * `room:update` (only the fields that changed). Validated with the protocol's schemas.
 */
import { createRoomSchema, defaultSettings, settingsPatchSchema } from "@tokencast/protocol";
import type { CreateRoomInput, PermissionLevel, RoomMode, RoomSettings, SettingsPatch } from "@tokencast/protocol";

export interface RoomDraft {
  title: string;
  mode: RoomMode;
  /** "" means the server's default model. */
  model: string;
  /** "" means the server's default system prompt. */
  systemPrompt: string;
  whoMayPrompt: PermissionLevel;
  whoMayStop: PermissionLevel;
  /** Only invitation links (room tokens) and the owner's and presenter's links admit people. */
  private: boolean;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** A blank draft for the create form, with the mode's default permissions. */
export function newRoomDraft(mode: RoomMode = "chat"): RoomDraft {
  return draftOf(defaultSettings(mode, ""));
}

export function draftOf(settings: RoomSettings): RoomDraft {
  return {
    title: settings.title,
    mode: settings.mode,
    model: settings.model ?? "",
    systemPrompt: settings.systemPrompt ?? "",
    whoMayPrompt: settings.whoMayPrompt,
    whoMayStop: settings.whoMayStop,
    private: settings.private ?? false,
  };
}

/**
 * The draft after a mode change: permissions still at the old mode's defaults follow the new
 * mode's defaults; ones the user picked stay.
 */
export function withMode(draft: RoomDraft, mode: RoomMode): RoomDraft {
  const before = defaultSettings(draft.mode, "");
  const after = defaultSettings(mode, "");
  return {
    ...draft,
    mode,
    whoMayPrompt: draft.whoMayPrompt === before.whoMayPrompt ? after.whoMayPrompt : draft.whoMayPrompt,
    whoMayStop: draft.whoMayStop === before.whoMayStop ? after.whoMayStop : draft.whoMayStop,
  };
}

/** The body of `POST /api/rooms`: blank model and prompt left out (the server's defaults). */
export function createInputOf(draft: RoomDraft): Checked<CreateRoomInput> {
  const input: CreateRoomInput = {
    title: draft.title,
    mode: draft.mode,
    whoMayPrompt: draft.whoMayPrompt,
    whoMayStop: draft.whoMayStop,
  };
  if (draft.model.trim()) input.model = draft.model;
  if (draft.systemPrompt.trim()) input.systemPrompt = draft.systemPrompt;
  if (draft.private) input.private = true;
  const parsed = createRoomSchema.safeParse(input);
  return parsed.success ? { ok: true, value: input } : { ok: false, message: firstIssue(parsed.error) };
}

/**
 * The `room:update` patch turning `current` into `draft`: only changed fields; a blank model or
 * prompt that was set becomes `null` (back to the server's default). `undefined` when nothing changed.
 */
export function patchOf(current: RoomSettings, draft: RoomDraft): Checked<SettingsPatch | undefined> {
  const patch: Record<string, unknown> = {};
  if (draft.title.trim() !== current.title) patch.title = draft.title;
  if (draft.mode !== current.mode) patch.mode = draft.mode;
  const model = optionalChange(current.model, draft.model);
  if (model !== undefined) patch.model = model;
  const systemPrompt = optionalChange(current.systemPrompt, draft.systemPrompt);
  if (systemPrompt !== undefined) patch.systemPrompt = systemPrompt;
  if (draft.whoMayPrompt !== current.whoMayPrompt) patch.whoMayPrompt = draft.whoMayPrompt;
  if (draft.whoMayStop !== current.whoMayStop) patch.whoMayStop = draft.whoMayStop;
  if (draft.private !== (current.private ?? false)) patch.private = draft.private;
  if (Object.keys(patch).length === 0) return { ok: true, value: undefined };
  const parsed = settingsPatchSchema.safeParse(patch);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: firstIssue(parsed.error) };
}

/** The new value of an optional text setting: `null` to clear it, `undefined` when unchanged. */
function optionalChange(current: string | undefined, edited: string): string | null | undefined {
  const next = edited.trim();
  if (next === (current ?? "")) return undefined;
  return next === "" ? null : next;
}

function firstIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return "Some fields are not valid.";
  const field = issue.path.map(String).join(".");
  return field ? `${field}: ${issue.message}` : issue.message;
}
