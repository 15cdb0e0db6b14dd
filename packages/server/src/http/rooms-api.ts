import { Router, json, type ErrorRequestHandler, type Request, type Response } from "express";
import { z } from "zod";
import { ROLES, createRoomSchema, nameSchema, roomIdSchema, type CreateRoomResult } from "@tokencast/protocol";
import { AppError, toErrorPayload } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";
import type { RoomService } from "../core/room-service.ts";
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS } from "../core/tokens.ts";
import { credentialsOf } from "./credentials.ts";
import { httpStatusFor } from "./error-status.ts";
import { TRANSCRIPT_FORMATS, transcriptJson, transcriptMarkdown, type TranscriptFormat } from "./transcript.ts";

export interface RoomsApiDeps {
  /** The room service (a getter: the HTTP app is built before the service it serves). */
  rooms: () => RoomService;
  logger: Logger;
  now?: () => number;
}

/** Body of `POST /api/rooms/:id/tokens`. */
const mintSchema = z.strictObject({
  role: z.enum(ROLES),
  /** The holder's display name, by the same rule as a join's `name` (refused here, not first at use). */
  name: nameSchema.optional(),
  ttlSeconds: z.number().int().min(1).max(MAX_TOKEN_TTL_SECONDS).default(DEFAULT_TOKEN_TTL_SECONDS),
});

/**
 * `POST /api/rooms`, `GET /api/rooms/:id`, `GET /api/rooms/:id/transcript?format=md|json`,
 * `POST /api/rooms/:id/tokens`. A private room's description and transcript need credentials.
 */
export function roomsApi(deps: RoomsApiDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  router.post("/api/rooms", json({ limit: "32kb" }), answer(deps, async (req, res) => {
    const input = parse(createRoomSchema, req.body ?? {});
    const created = await deps.rooms().createRoom(input);
    const id = encodeURIComponent(created.info.id);
    const result: CreateRoomResult = {
      room: created.info,
      links: { share: `/r/${id}`, presenter: `/r/${id}#key=${created.presenterKey}`, owner: `/r/${id}#key=${created.ownerKey}` },
      ownerKey: created.ownerKey,
      presenterKey: created.presenterKey,
    };
    res.status(201).json({ ok: true, ...result });
  }));
  router.get("/api/rooms/:id", answer(deps, async (req, res) => {
    const roomId = parse(roomIdSchema, req.params.id);
    const found = await describeFor(deps, req, roomId);
    res.json({ ok: true, room: found.room, memberCount: await deps.rooms().memberCount(roomId), messageCount: found.messages.length });
  }));
  router.get("/api/rooms/:id/transcript", answer(deps, async (req, res) => {
    const roomId = parse(roomIdSchema, req.params.id);
    const format = parseFormat(req.query.format);
    const found = await describeFor(deps, req, roomId);
    const transcript = { room: found.room, messages: found.messages, exportedAt: now() };
    res.setHeader("Content-Disposition", `attachment; filename="${roomId}.${format}"`);
    res.setHeader("Cache-Control", "no-store");
    if (format === "json") res.type("application/json").send(transcriptJson(transcript));
    else res.type("text/markdown; charset=utf-8").send(transcriptMarkdown(transcript));
  }));
  router.post("/api/rooms/:id/tokens", json({ limit: "4kb" }), answer(deps, async (req, res) => {
    const roomId = parse(roomIdSchema, req.params.id);
    const { role, name, ttlSeconds } = parse(mintSchema, req.body ?? {});
    const minted = await deps.rooms().mintToken(credentialsOf(req), { roomId, role, ttlSeconds, ...(name !== undefined ? { name } : {}) });
    res.setHeader("Cache-Control", "no-store");
    res.status(201).json({ ok: true, ...minted });
  }));
  router.post("/api/rooms/:id/tokens/revoke", answer(deps, async (req, res) => {
    const roomId = parse(roomIdSchema, req.params.id);
    const { dropped } = await deps.rooms().revokeTokens(credentialsOf(req), roomId);
    res.setHeader("Cache-Control", "no-store");
    res.json({ ok: true, dropped });
  }));
  router.use(unreadableBody);
  return router;
}

/** The room's description; a private room's only with a valid token or key (else `forbidden`). */
async function describeFor(deps: RoomsApiDeps, req: Request, roomId: string) {
  const found = await deps.rooms().describe(roomId);
  if (!found) throw new AppError("not_found", "No such room.");
  if (!found.room.settings.private) return found;
  const role = await deps.rooms().credentialRole(roomId, credentialsOf(req));
  if (role === undefined) throw new AppError("forbidden", "This room is private: send a room token (Authorization: Bearer) or key (X-Room-Key).");
  return found;
}

/**
 * A body json() refused (not JSON, too large) gets `invalid_payload` JSON like every other
 * refusal, not Express's HTML error page; other errors go on.
 */
const unreadableBody: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  const status = (error as { status?: unknown; type?: unknown } | undefined)?.status;
  if (typeof status !== "number" || status < 400 || status >= 500 || typeof (error as { type?: unknown }).type !== "string") {
    next(error);
    return;
  }
  const message = status === 413 ? "Invalid request. The body is too large." : "Invalid request. The body is not valid JSON.";
  res.status(status).json({ ok: false, error: { code: "invalid_payload", message } });
};

type Handler = (req: Request, res: Response) => Promise<void>;

/** Runs a handler; any error becomes `{ ok:false, error }` with its status (never a crash). */
function answer(deps: RoomsApiDeps, handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await handler(req, res);
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === "internal_error") deps.logger.error({ err: error, path: req.path }, "rooms API request failed");
      res.status(httpStatusFor(payload.code)).json({ ok: false, error: payload });
    }
  };
}

function parse<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new AppError("invalid_payload", `Invalid request. ${where}${issue?.message ?? "unexpected shape"}`);
}

function parseFormat(value: unknown): TranscriptFormat {
  const format = value === undefined ? "md" : value;
  if (typeof format === "string" && (TRANSCRIPT_FORMATS as readonly string[]).includes(format)) return format as TranscriptFormat;
  throw new AppError("invalid_payload", `Invalid request. format: use ${TRANSCRIPT_FORMATS.join(" or ")}`);
}
