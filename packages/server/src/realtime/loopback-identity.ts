/**
 * The SSE endpoint watches rooms through a Socket.IO connection to its own node (loopback), so
 * every such socket comes from 127.0.0.1. It says whose request it serves in a header signed with
 * a secret of this process; anyone else sending that header is not believed.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export const LOOPBACK_HEADER = "x-tokencast-loopback";
const SECRET = Buffer.from(randomBytes(24).toString("hex"));

/** Headers for a loopback connection on behalf of a client at `ip`. */
export function loopbackHeaders(ip: string): Record<string, string> {
  return { [LOOPBACK_HEADER]: `${SECRET.toString()} ${ip}` };
}

/** The client IP a genuine loopback connection speaks for; undefined for any other connection. */
export function loopbackClientIp(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers[LOOPBACK_HEADER];
  if (typeof value !== "string") return undefined;
  const space = value.indexOf(" ");
  if (space < 0) return undefined;
  const secret = Buffer.from(value.slice(0, space));
  if (secret.length !== SECRET.length || !timingSafeEqual(secret, SECRET)) return undefined;
  return value.slice(space + 1) || undefined;
}
