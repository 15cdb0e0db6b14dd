import { describe, expect, it } from "vitest";
import { defaultSettings } from "@tokencast/protocol";
import type { RoomSettings } from "@tokencast/protocol";
import { createInputOf, draftOf, newRoomDraft, patchOf, withMode } from "./room-form.ts";
import { permissionsOf, whoMayPromptLine } from "./permissions.ts";

const settings: RoomSettings = { ...defaultSettings("chat", "Team room"), model: "qwen2.5", systemPrompt: "Be brief." };

describe("patchOf", () => {
  it("sends only the fields that changed", () => {
    const draft = { ...draftOf(settings), title: "  New title ", whoMayStop: "owner" as const };
    expect(patchOf(settings, draft)).toEqual({ ok: true, value: { title: "New title", whoMayStop: "owner" } });
  });

  it("says nothing changed when nothing did (whitespace aside)", () => {
    expect(patchOf(settings, { ...draftOf(settings), title: " Team room " })).toEqual({ ok: true, value: undefined });
  });

  it("turns a cleared model or prompt into null (back to the server's default)", () => {
    const draft = { ...draftOf(settings), model: " ", systemPrompt: "" };
    expect(patchOf(settings, draft)).toEqual({ ok: true, value: { model: null, systemPrompt: null } });
    const bare = defaultSettings("chat", "x");
    expect(patchOf(bare, { ...draftOf(bare), model: "llama3:8b" })).toEqual({
      ok: true,
      value: { model: "llama3:8b" },
    });
  });

  it("refuses invalid values with the field's name", () => {
    const result = patchOf(settings, { ...draftOf(settings), model: "bad model!" });
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.message).toMatch(/^model: /);
    expect(patchOf(settings, { ...draftOf(settings), title: "" })).toMatchObject({ ok: false });
  });
});

describe("create form", () => {
  it("starts with the mode's defaults and follows a mode change unless the user picked", () => {
    const chat = newRoomDraft();
    expect(chat).toMatchObject({ mode: "chat", whoMayPrompt: "anyone", whoMayStop: "anyone" });
    expect(withMode(chat, "presentation")).toMatchObject({ whoMayPrompt: "presenters", whoMayStop: "presenters" });
    const picked = withMode({ ...chat, whoMayStop: "owner" }, "presentation");
    expect(picked).toMatchObject({ whoMayPrompt: "presenters", whoMayStop: "owner" });
  });

  it("builds the POST body, leaving blank optional fields out", () => {
    const draft = { ...newRoomDraft("presentation"), title: " Keynote ", systemPrompt: "  " };
    expect(createInputOf(draft)).toEqual({
      ok: true,
      value: { title: " Keynote ", mode: "presentation", whoMayPrompt: "presenters", whoMayStop: "presenters" },
    });
    expect(createInputOf({ ...draft, model: "gpt-4o" })).toMatchObject({ ok: true, value: { model: "gpt-4o" } });
    expect(createInputOf({ ...draft, title: "   " })).toMatchObject({ ok: false, message: "title: title is empty" });
  });
});

describe("permissionsOf", () => {
  it("follows the protocol's rules for each role", () => {
    const presentation = defaultSettings("presentation", "Talk");
    expect(permissionsOf(presentation, "viewer")).toEqual({
      mayPrompt: false,
      mayStop: false,
      mayEditSettings: false,
      mayAsk: true,
      mayReplayForRoom: false,
    });
    expect(permissionsOf(presentation, "presenter")).toEqual({
      mayPrompt: true,
      mayStop: true,
      mayEditSettings: false,
      mayAsk: true,
      mayReplayForRoom: true,
    });
    expect(permissionsOf(presentation, "owner")).toMatchObject({ mayEditSettings: true, mayReplayForRoom: true });
    const chat = defaultSettings("chat", "Chat");
    expect(permissionsOf(chat, "participant")).toEqual({
      mayPrompt: true,
      mayStop: true,
      mayEditSettings: false,
      mayAsk: false,
      mayReplayForRoom: false,
    });
    expect(permissionsOf({ ...chat, whoMayPrompt: "owner" }, "participant").mayPrompt).toBe(false);
    expect(permissionsOf(undefined, "owner").mayPrompt).toBe(false);
    expect(whoMayPromptLine("owner")).toContain("Only the room's owner");
  });
});

describe("private rooms in the form", () => {
  it("a new draft is public; ticking private sends private: true on create, nothing when unticked", () => {
    const draft = newRoomDraft("chat");
    expect(draft.private).toBe(false);
    const open = createInputOf({ ...draft, title: "Open" });
    expect(open.ok && "private" in open.value).toBe(false);
    expect(createInputOf({ ...draft, title: "Closed", private: true })).toMatchObject({
      ok: true,
      value: { private: true },
    });
  });

  it("patches private only when it changed, in both directions", () => {
    const base = defaultSettings("chat", "Room");
    expect(patchOf(base, { ...draftOf(base), private: true })).toEqual({ ok: true, value: { private: true } });
    expect(patchOf({ ...base, private: true }, { ...draftOf(base), private: false })).toEqual({
      ok: true,
      value: { private: false },
    });
    expect(draftOf({ ...base, private: true }).private).toBe(true);
    expect(patchOf(base, draftOf(base))).toEqual({ ok: true, value: undefined });
  });
});
