import { json, type Request, type RequestHandler, type Response, type Router } from "express";
import { z } from "zod";
import {
  ROLES,
  createRoomSchema,
  joinCodeSchema,
  nameSchema,
  roomIdSchema,
  type CreateRoomResult,
  type JoinCodeResult,
} from "@tokencast/protocol";
import { AppError, toErrorPayload } from "../core/errors.ts";
import type { Logger } from "../core/ports.ts";
import type { RoomService } from "../core/room-service.ts";
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS } from "../core/tokens.ts";
import { credentialsOf } from "./credentials.ts";
import { httpStatusFor } from "./error-status.ts";
import { strictRouter } from "./strict-router.ts";
import { TRANSCRIPT_FORMATS, transcriptJson, transcriptMarkdown, type TranscriptFormat } from "./transcript.ts";

export interface RoomsApiDeps {
  /** The room service (a getter: the HTTP app is built before the service it serves). */
  rooms: () => RoomService;
  logger: Logger;
  now?: () => number;
  /** The room creation budget (ROOMS_PER_IP_PER_HOUR), run by the creation route itself; none: unlimited. */
  creationLimit?: RequestHandler;
  /** The join code lookup budget (JOIN_CODE_LOOKUPS_PER_IP_PER_MINUTE), run by the lookup route; none: unlimited. */
  joinCodeLimit?: RequestHandler;
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
 * `POST /api/rooms/:id/tokens`, `POST /api/rooms/:id/tokens/revoke`, `GET /api/join-codes/:code`,
 * mounted under /api (paths here are relative to it). A private room's description and transcript
 * need credentials. A body json() refuses (not JSON, too large) goes on to the app's error handler
 * (http/error-answer.ts).
 */
export function roomsApi(deps: RoomsApiDeps): Router {
  const router = strictRouter();
  const now = deps.now ?? Date.now;
  const creationLimit: RequestHandler = deps.creationLimit ?? ((_req, _res, next) => next());
  const joinCodeLimit: RequestHandler = deps.joinCodeLimit ?? ((_req, _res, next) => next());
  router.post(
    "/rooms",
    creationLimit,
    json({ limit: "32kb" }),
    answer(deps, async (req, res) => {
      const input = parse(createRoomSchema, req.body ?? {});
      const created = await deps.rooms().createRoom(input);
      const id = encodeURIComponent(created.info.id);
      const result: CreateRoomResult = {
        room: created.info,
        links: {
          share: `/r/${id}`,
          presenter: `/r/${id}#key=${created.presenterKey}`,
          owner: `/r/${id}#key=${created.ownerKey}`,
        },
        ownerKey: created.ownerKey,
        presenterKey: created.presenterKey,
      };
      res.status(201).json({ ok: true, ...result });
    }),
  );
  router.get(
    "/rooms/:id",
    answer(deps, async (req, res) => {
      const roomId = parse(roomIdSchema, req.params.id);
      const found = await describeFor(deps, req, roomId);
      res.json({
        ok: true,
        room: found.room,
        memberCount: await deps.rooms().memberCount(roomId),
        messageCount: found.messages.length,
      });
    }),
  );
  router.get(
    "/rooms/:id/transcript",
    answer(deps, async (req, res) => {
      const roomId = parse(roomIdSchema, req.params.id);
      const format = parseFormat(req.query.format);
      const found = await describeFor(deps, req, roomId);
      const transcript = { room: found.room, messages: found.messages, exportedAt: now() };
      res.setHeader("Content-Disposition", `attachment; filename="${roomId}.${format}"`);
      res.setHeader("Cache-Control", "no-store");
      if (format === "json") res.type("application/json").send(transcriptJson(transcript));
      else res.type("text/markdown; charset=utf-8").send(transcriptMarkdown(transcript));
    }),
  );
  router.post(
    "/rooms/:id/tokens",
    json({ limit: "4kb" }),
    answer(deps, async (req, res) => {
      const roomId = parse(roomIdSchema, req.params.id);
      const { role, name, ttlSeconds } = parse(mintSchema, req.body ?? {});
      const minted = await deps
        .rooms()
        .mintToken(credentialsOf(req), { roomId, role, ttlSeconds, ...(name !== undefined ? { name } : {}) });
      res.setHeader("Cache-Control", "no-store");
      res.status(201).json({ ok: true, ...minted });
    }),
  );
  router.post(
    "/rooms/:id/tokens/revoke",
    answer(deps, async (req, res) => {
      const roomId = parse(roomIdSchema, req.params.id);
      const { dropped } = await deps.rooms().revokeTokens(credentialsOf(req), roomId);
      res.setHeader("Cache-Control", "no-store");
      res.json({ ok: true, dropped });
    }),
  );
  router.get(
    "/join-codes/:code",
    joinCodeLimit,
    answer(deps, async (req, res) => {
      const code = parse(joinCodeSchema, req.params.code);
      const result: JoinCodeResult = await deps.rooms().roomOfJoinCode(code);
      res.setHeader("Cache-Control", "no-store");
      res.json({ ok: true, ...result });
    }),
  );
  return router;
}

/** The room's description; a private room's only with a valid token or key (else `forbidden`). */
async function describeFor(deps: RoomsApiDeps, req: Request, roomId: string) {
  const found = await deps.rooms().describe(roomId);
  if (!found) throw new AppError("not_found", "No such room.");
  if (!found.room.settings.private) return found;
  const role = await deps.rooms().credentialRole(roomId, credentialsOf(req));
  if (role === undefined)
    throw new AppError(
      "forbidden",
      "This room is private: send a room token (Authorization: Bearer) or key (X-Room-Key).",
    );
  return found;
}

type Handler = (req: Request, res: Response) => Promise<void>;

/** Runs a handler; any error becomes `{ ok:false, error }` with its status (never a crash). */
function answer(deps: RoomsApiDeps, handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      await handler(req, res);
    } catch (error) {
      const payload = toErrorPayload(error);
      if (payload.code === "internal_error")
        deps.logger.error({ err: error, path: req.path }, "rooms API request failed");
      res.status(httpStatusFor(payload.code)).json({ ok: false, error: payload });
    }
  };
}

function parse<T>(
  schema: {
    safeParse(
      value: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
  },
  value: unknown,
): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw new AppError("invalid_payload", `Invalid request. ${where}${issue?.message ?? "unexpected shape"}`);
}

function parseFormat(value: unknown): TranscriptFormat {
  const format = value === undefined ? "md" : value;
  if (typeof format === "string" && (TRANSCRIPT_FORMATS as readonly string[]).includes(format))
    return format as TranscriptFormat;
  throw new AppError("invalid_payload", `Invalid request. format: use ${TRANSCRIPT_FORMATS.join(" or ")}`);
}
