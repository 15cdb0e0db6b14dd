/**
 * What of an upstream failure may reach the room. An LLM server's error text, and Node's own
 * errors about reaching it, name the server's URL, hosts, files and internal codes
 * (`ECONNREFUSED`, `UND_ERR_SOCKET`): the operator's business, kept whole in the log (the
 * AppError's `cause`), never in the message members read.
 */
import { constants } from "node:os";

/** Longest upstream detail quoted to members. */
const MAX_DETAIL_CHARS = 200;
const HIDDEN = "…";

/** Patterns of what is hidden, most specific first (a URL holds a host and a path). */
const HIDDEN_PARTS: RegExp[] = [
  /\b[a-z][a-z\d+.-]*:\/\/[^\s"'<>)\]]*/gi, // URLs of any scheme
  /\b[a-z]:\\[^\s"'<>)\]]*/gi, // Windows paths
  /(?<![\w.])~?\/[^\s"'<>)\],;:]+/g, // POSIX paths (a slash-led word)
  /\[[\da-f:.]+\](?::\d+)?/gi, // IPv6 addresses
  /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, // IPv4 addresses
  /\b[\w-]+(?:\.[\w-]+)*:\d{2,5}\b/g, // host:port
  /\blocalhost\b/gi,
];

/** A stack trace starts here (V8's `at fn (file:line)`, Python's traceback): nothing after it is shown. */
const STACK_START = /\s+at\s+\S+\s+\(|\s+at\s+(?:file|node):|Traceback \(most recent call last\)|\n/;

const ERRNO_NAMES = new Set(Object.keys(constants.errno));
/** undici's and Node's error codes, DNS failures, and errno names such as ECONNREFUSED. */
function isInternalCode(word: string): boolean {
  return /^(?:UND_ERR|ERR)_[A-Z\d_]+$/.test(word) || /^E(?:NOTFOUND|AI_[A-Z]+)$/.test(word) || ERRNO_NAMES.has(word);
}

/**
 * An upstream's error text fit for members: its first line before any stack trace, with URLs,
 * paths, addresses and internal error codes hidden, capped. "" when nothing is left.
 */
export function publicDetail(text: string): string {
  let detail = text.trim().split(STACK_START)[0] ?? "";
  for (const pattern of HIDDEN_PARTS) detail = detail.replace(pattern, HIDDEN);
  detail = detail.replace(/\b[A-Z][A-Z\d_]{2,}\b/g, (word) => (isInternalCode(word) ? HIDDEN : word));
  detail = detail
    .replace(/…(?:\s*…)*/g, HIDDEN)
    .replace(/\s+/g, " ")
    .trim();
  if (/^[\s…:().,-]*$/.test(detail)) return "";
  return detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS)}…` : detail;
}

/** Plain words for why a connection to the LLM server failed, from Node's / undici's error codes. */
const TROUBLES: Array<[RegExp, string]> = [
  [/^ECONNREFUSED$/, "it refused the connection"],
  [/^(ENOTFOUND|EAI_\w+)$/, "its name could not be resolved"],
  [/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/, "the connection timed out"],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)$/, "the connection was closed"],
  [/^(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN)$/, "its network is unreachable"],
  [/^(ERR_TLS_\w+|\w*CERT\w*|\w*SSL\w*)$/, "the secure connection failed"],
];

/** Why `error` (a failed fetch or read) happened, in words without codes or addresses. */
export function connectionTrouble(error: unknown): string {
  const code = errorCode(error);
  const found = code === undefined ? undefined : TROUBLES.find(([pattern]) => pattern.test(code));
  return found?.[1] ?? "the connection failed";
}

/** The code of an error or of the error that caused it (fetch wraps undici's in `cause`). */
function errorCode(error: unknown): string | undefined {
  for (
    let current = error, depth = 0;
    current && depth < 4;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
