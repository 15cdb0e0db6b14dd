/**
 * Non-2xx upstream responses → named errors with a fixed human sentence for members (the status
 * and the server's wait are fields of the payload, not words of the sentence); what the body said,
 * which may name hosts, paths and internal codes, is the error's `cause`, for the log only.
 */
import type { Response } from "undici";
import { AppError } from "../core/errors.ts";

const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_MESSAGE_CHARS = 300;

export async function httpError(response: Response): Promise<AppError> {
  const body = await readCapped(response);
  const told = extractMessage(body, response.headers.get("content-type") ?? "");
  const status = response.status;
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
  const cause = new Error(`HTTP ${status} from the LLM server: ${told || "(no body)"}`);
  if (status === 503 || /loading model|model is loading|still loading/i.test(told)) {
    // The client adds "try again in about N s" from `retryAfter`: said once, by whoever shows it.
    return new AppError("upstream_model_loading", "The model is still loading on the LLM server.", {
      status,
      cause,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  }
  return new AppError("upstream_http_error", "The LLM server could not answer this request.", { status, cause });
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that breaks off still leaves us the status code, which is what matters.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(concat(chunks)).slice(0, MAX_ERROR_BODY_BYTES);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** `{error:{message}}`, `{error:"…"}`, `{message}`, `{detail}`, or the text of an HTML/plain body. */
export function extractMessage(body: string, contentType: string): string {
  const trimmed = body.trim();
  if (trimmed === "") return "";
  if (contentType.includes("json") || trimmed.startsWith("{")) {
    const fromJson = messageFromJson(trimmed);
    if (fromJson) return cap(fromJson);
  }
  return cap(stripHtml(trimmed));
}

function messageFromJson(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const error = json.error;
    if (typeof error === "string") return error;
    if (error && typeof error === "object" && typeof (error as { message?: unknown }).message === "string") {
      return (error as { message: string }).message;
    }
    if (typeof json.message === "string") return json.message;
    if (typeof json.detail === "string") return json.detail;
    return undefined;
  } catch {
    // Not JSON after all: the caller falls back to the raw text.
    return undefined;
  }
}

function stripHtml(text: string): string {
  return text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function cap(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** Seconds from a `Retry-After` header: delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds);
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.round((date - Date.now()) / 1000));
}
