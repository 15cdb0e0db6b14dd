import { isIPv4, isIPv6 } from "node:net";

/**
 * The client's IP behind `trustedHops` proxies (TRUST_PROXY): the address `trustedHops` steps
 * left of the socket's peer in the X-Forwarded-For chain; the peer itself when no proxy is trusted.
 * Addresses a client wrote further left are never believed.
 */
export function clientIp(peer: string, forwardedFor: string | string[] | undefined, trustedHops: number): string {
  const forwarded = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const chain = [...forwarded, peer];
  return addressKey(chain[Math.max(0, chain.length - 1 - trustedHops)] ?? peer);
}

/**
 * The key every per-IP limit counts by. An IPv6 client is normally given a whole /64 and could
 * rotate through its 2^64 addresses, so IPv6 counts per /64 ("2001:db8:1:2::/64"); an IPv4-mapped
 * address counts as its IPv4; a port or brackets a proxy wrote are dropped. Anything that is not an
 * address (a misconfigured proxy) is kept as written.
 */
export function addressKey(address: string): string {
  const bare = withoutPort(address.trim()).replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (isIPv6(bare)) return `${firstGroups(bare, 4).join(":")}::/64`;
  return bare;
}

function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const v4 = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address);
  return v4 && isIPv4(v4[1]!) ? v4[1]! : address;
}

/** The first `count` 16-bit groups of an IPv6 address, "::" expanded, without leading zeros. */
function firstGroups(address: string, count: number): string[] {
  const [head = "", tail] = address.split("::");
  const groupsOf = (part: string) =>
    part === "" ? [] : part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g]));
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const zeros: string[] = Array(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].slice(0, count).map((group) => parseInt(group, 16).toString(16));
}
