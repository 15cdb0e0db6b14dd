import type { ErrorCode } from "@tokencast/protocol";

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_payload: 400,
  text_too_long: 413,
  not_in_room: 409,
  not_found: 404,
  busy: 409,
  not_streaming: 409,
  not_latest: 409,
  forbidden: 403,
  token_expired: 401,
  rate_limited: 429,
  room_full: 503,
  server_full: 503,
  too_many_rooms: 429,
  quota_exceeded: 429,
  queue_full: 429,
  internal_error: 500,
  store_unavailable: 503,
  server_shutdown: 503,
};

/** The HTTP status answering a request refused with `code` (upstream failures: 502). */
export function httpStatusFor(code: ErrorCode): number {
  return STATUS[code] ?? 502;
}
