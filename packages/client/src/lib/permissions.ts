/**
 * What this member may do in a room, derived from the room's settings and their role with the
 * protocol's `allows` (the server enforces the same rules; the UI only hides what would fail).
 */
import { allows } from "@tokencast/protocol";
import type { PermissionLevel, Role, RoomMode, RoomSettings } from "@tokencast/protocol";

export interface Permissions {
  /** chat:send, chat:regenerate, queue:send, queue:dismiss, room:typing */
  mayPrompt: boolean;
  /** chat:stop */
  mayStop: boolean;
  /** room:update */
  mayEditSettings: boolean;
  /** queue:submit: anyone in a presentation */
  mayAsk: boolean;
  /** chat:replay: the owner and presenters replay an answer for everyone */
  mayReplayForRoom: boolean;
}

export const NO_PERMISSIONS: Permissions = {
  mayPrompt: false,
  mayStop: false,
  mayEditSettings: false,
  mayAsk: false,
  mayReplayForRoom: false,
};

export function permissionsOf(settings: RoomSettings | undefined, role: Role | undefined): Permissions {
  if (!settings || !role) return NO_PERMISSIONS;
  return {
    mayPrompt: allows(settings.whoMayPrompt, role),
    mayStop: allows(settings.whoMayStop, role),
    mayEditSettings: role === "owner",
    mayAsk: settings.mode === "presentation",
    mayReplayForRoom: role === "owner" || role === "presenter",
  };
}

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  presenter: "Presenter",
  participant: "Participant",
  viewer: "Viewer",
};

/** Plural labels, for counts ("3 viewers"). */
export const ROLE_PLURALS: Record<Role, string> = {
  owner: "owners",
  presenter: "presenters",
  participant: "participants",
  viewer: "viewers",
};

export const MODE_LABELS: Record<RoomMode, string> = { chat: "Chat", presentation: "Presentation" };

export const LEVEL_LABELS: Record<PermissionLevel, string> = {
  owner: "Only the owner",
  presenters: "Owner and presenters",
  anyone: "Anyone taking part",
};

/** "Only the owner can ask the model in this room." and the like, for those who cannot. */
export function whoMayPromptLine(level: PermissionLevel): string {
  switch (level) {
    case "owner":
      return "Only the room's owner can ask the model in this room.";
    case "presenters":
      return "Only the owner and presenters can ask the model in this room.";
    case "anyone":
      return "Viewers watch only: join as a participant to ask the model.";
  }
}
