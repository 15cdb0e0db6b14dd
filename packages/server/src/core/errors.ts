import type { ErrorCode, ErrorPayload } from "@tokencast/protocol";

export interface AppErrorDetails {
  status?: number;
  retryAfter?: number;
  cause?: unknown;
}

/** An error with a named code from the protocol; the only kind of error that reaches a client as-is. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, details: AppErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "AppError";
    this.code = code;
    this.status = details.status;
    this.retryAfter = details.retryAfter;
  }

  toPayload(): ErrorPayload {
    const payload: ErrorPayload = { code: this.code, message: this.message };
    if (this.status !== undefined) payload.status = this.status;
    if (this.retryAfter !== undefined) payload.retryAfter = this.retryAfter;
    return payload;
  }
}

/** Any thrown value as a client-safe payload: unknown errors become `internal_error` without details. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof AppError) return error.toPayload();
  return { code: "internal_error", message: "Something went wrong on the server." };
}
