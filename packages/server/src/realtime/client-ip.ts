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
  return chain[Math.max(0, chain.length - 1 - trustedHops)] ?? peer;
}
