/**
 * Named error codes carried in `{ ok: false, error: { code, message } }` acks and in
 * `chat:end.error`. Clients switch on `code`; `message` is for humans.
 */
export const ERROR_CODES = [
  // client input
  "invalid_payload",
  "text_too_long",
  "not_in_room",
  "not_found",
  "busy",
  "not_streaming",
  "not_latest",
  "forbidden",
  "queue_full",
  "internal_error",
  // access and limits
  "token_expired",
  "rate_limited",
  "room_full",
  "server_full",
  "too_many_rooms",
  "quota_exceeded",
  // the cluster
  "store_unavailable",
  "server_shutdown",
  "owner_lost",
  // upstream (LLM server)
  "upstream_unreachable",
  "upstream_http_error",
  "upstream_model_loading",
  "upstream_stream_error",
  "upstream_truncated",
  "upstream_timeout",
  "upstream_bad_response",
  "upstream_too_large",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** HTTP status of the upstream response, for `upstream_http_error` / `upstream_model_loading`. */
  status?: number;
  /** Seconds the upstream asked us to wait (`Retry-After`), when it said so. */
  retryAfter?: number;
}
