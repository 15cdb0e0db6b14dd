/**
 * The last word on every HTTP request that failed before or inside a route: a short JSON
 * `{ ok:false, error:{ code, message } }` with a status, never Express's HTML page (which shows
 * the stack and absolute paths unless NODE_ENV=production). What went wrong goes to the log.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import type { ErrorCode, ErrorPayload } from "@tokencast/protocol";
import type { Logger } from "../core/ports.ts";

export interface ErrorAnswer {
  status: number;
  payload: ErrorPayload;
}

const INTERNAL: ErrorAnswer = {
  status: 500,
  payload: { code: "internal_error", message: "Something went wrong on the server." },
};

/** What a client is told about `error`: its HTTP status (4xx kept, anything else 500) and a fixed message. */
export function errorAnswer(error: unknown): ErrorAnswer {
  const status = clientStatus(error);
  if (status === undefined) return INTERNAL;
  return { status, payload: { code: codeFor(status), message: messageFor(status, error) } };
}

/** The 4xx status Express, its router or body-parser gave the error; undefined for anything else. */
function clientStatus(error: unknown): number | undefined {
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const given = typeof status === "number" ? status : statusCode;
  return typeof given === "number" && Number.isInteger(given) && given >= 400 && given < 500 ? given : undefined;
}

function codeFor(status: number): ErrorCode {
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  return "invalid_payload";
}

/** Messages written here, never the error's own (it may quote the request or name a file). */
function messageFor(status: number, error: unknown): string {
  if (error instanceof URIError) return "Invalid request. The address has a malformed %-escape.";
  if (status === 404) return "No such page.";
  if (status === 413) return "Invalid request. The body is too large.";
  if (status === 415) return "Invalid request. The body's encoding or charset is not supported.";
  if ((error as { type?: unknown }).type === "entity.parse.failed")
    return "Invalid request. The body is not valid JSON.";
  return "Invalid request.";
}

/** The final error handler: the answer above, the error itself to the log. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const answer = errorAnswer(error);
    logError(logger, req, answer, error);
    // A response already under way (a stream) cannot change its status: cut it instead.
    if (res.headersSent) return void res.destroy();
    send(res, answer);
  };
}

function logError(logger: Logger, req: Request, answer: ErrorAnswer, error: unknown): void {
  const context = { err: error, method: req.method, path: req.path, status: answer.status };
  if (answer.status >= 500) logger.error(context, "HTTP request failed");
  else logger.warn(context, "HTTP request refused");
}

/** Requests no route took: 404 JSON. */
export const notFound: RequestHandler = (_req, res) =>
  send(res, { status: 404, payload: { code: "not_found", message: "No such page." } });

function send(res: Response, answer: ErrorAnswer): void {
  res.status(answer.status).json({ ok: false, error: answer.payload });
}
