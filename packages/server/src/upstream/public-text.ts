/**
 * What of an upstream connection failure may reach the room. Node's errors about reaching the LLM
 * server name its URL, hosts and internal codes (`ECONNREFUSED`, `UND_ERR_SOCKET`): the
 * operator's business, kept whole in the log (the AppError's `cause`); members read plain words.
 * (The LLM server's own error text never reaches them at all: see http-errors.ts, sse-normalise.ts.)
 */
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
