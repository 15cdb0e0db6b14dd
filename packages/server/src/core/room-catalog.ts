import {
  MAX_NAME_LENGTH,
  defaultSettings,
  type CreateRoomInput,
  type RoomInfo,
  type RoomSettings,
  type SettingsPatch,
} from "@tokencast/protocol";
import { hashKey, newKey } from "./access.ts";
import { AppError } from "./errors.ts";
import type { AnswerSource, RoomRecord, RoomRecords } from "./ports.ts";
import { createdRoomId, isCreatedRoomId } from "./room-ids.ts";

export interface RoomCatalogDeps {
  records: RoomRecords;
  source: AnswerSource;
  maxTextLength: number;
  now: () => number;
}

/** A room as core sees it: its settings and, for a created room, its record. */
export interface RoomView {
  settings: RoomSettings;
  record: RoomRecord | undefined;
}

export interface CreatedRoom {
  info: RoomInfo;
  ownerKey: string;
  presenterKey: string;
}

/**
 * Created rooms and their settings. A room nobody created (any `/r/<id>`) is an ad-hoc chat room
 * with default settings and no owner.
 */
export class RoomCatalog {
  constructor(private readonly deps: RoomCatalogDeps) {}

  async create(
    input: Required<Pick<CreateRoomInput, "title" | "mode">> & Omit<CreateRoomInput, "title" | "mode">,
  ): Promise<CreatedRoom> {
    const settings = { ...defaultSettings(input.mode, input.title), ...withoutUndefined(input) };
    const ownerKey = newKey();
    const presenterKey = newKey();
    for (let attempt = 0; attempt < 5; attempt++) {
      const record: RoomRecord = {
        id: createdRoomId(input.title),
        settings,
        ownerKeyHash: hashKey(ownerKey),
        presenterKeyHash: hashKey(presenterKey),
        createdAt: this.deps.now(),
      };
      if (await this.deps.records.create(record))
        return { info: this.info(record.id, this.viewOf(record)), ownerKey, presenterKey };
    }
    throw new AppError("internal_error", "Could not find a free room id; try again.");
  }

  /** The room; `not_found` for a created room whose record is gone (it never becomes ad-hoc). */
  async view(roomId: string): Promise<RoomView> {
    const record = await this.deps.records.get(roomId);
    if (!record && isCreatedRoomId(roomId)) throw roomGone();
    return this.viewOf(record, roomId);
  }

  /** Applies an owner's change; throws `not_found` for a room nobody created. */
  async update(roomId: string, patch: SettingsPatch): Promise<RoomView> {
    const current = await this.deps.records.get(roomId);
    if (!current && isCreatedRoomId(roomId)) throw roomGone();
    if (!current)
      throw new AppError(
        "forbidden",
        "This room has no owner: its settings cannot change. Create a room to have settings.",
      );
    const settings = applyPatch(current.settings, patch);
    const updated = await this.deps.records.updateSettings(roomId, settings);
    if (!updated) throw roomGone();
    return this.viewOf(updated);
  }

  touch(roomId: string): Promise<void> {
    return this.deps.records.touch(roomId);
  }

  /** What clients see of a room. */
  info(roomId: string, view: RoomView): RoomInfo {
    const { source, maxTextLength } = this.deps;
    return {
      id: roomId,
      settings: view.settings,
      owned: view.record !== undefined,
      model: modelOf(view.settings, source),
      demo: source.demo,
      limits: { maxTextLength, maxNameLength: MAX_NAME_LENGTH },
    };
  }

  private viewOf(record: RoomRecord | undefined, roomId = record?.id ?? ""): RoomView {
    return { settings: record?.settings ?? defaultSettings("chat", roomId), record };
  }
}

/** The model answering in a room: its own when it names one (not with the demo model). */
export function modelOf(settings: RoomSettings, source: AnswerSource): string {
  return source.demo ? source.model : (settings.model ?? source.model);
}

function applyPatch(settings: RoomSettings, patch: SettingsPatch): RoomSettings {
  const next: RoomSettings = { ...settings };
  for (const [field, value] of Object.entries(patch) as Array<[keyof RoomSettings, unknown]>) {
    if (value === null) delete next[field];
    else if (value !== undefined) Object.assign(next, { [field]: value });
  }
  return next;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

/** The error for a created room whose record is gone: expired, or lost with its store. */
export function roomGone(): AppError {
  return new AppError("not_found", "This room no longer exists: it was closed or has expired.");
}
