/**
 * Mints a signed room token with the server's TOKEN_SECRET, for operators (no HTTP, no key):
 *
 *   TOKEN_SECRET=... node --import tsx packages/server/src/tools/mint-token.ts \
 *     --room <id> --role viewer [--name Ann] [--ttl 3600]
 *
 * Prints the token and the invitation link path (`/r/<id>#token=<jwt>`).
 */
import { parseArgs } from "node:util";
import { ROLES, type Role } from "@tokencast/protocol";
import { loadConfig } from "../config.ts";
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS, RoomTokens } from "../core/tokens.ts";

const USAGE =
  "usage: mint-token.ts --room <id> --role owner|presenter|participant|viewer [--name <name>] [--ttl <seconds>]";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { room: { type: "string" }, role: { type: "string" }, name: { type: "string" }, ttl: { type: "string" } },
  });
  const role = values.role as Role | undefined;
  const ttlSeconds = values.ttl === undefined ? DEFAULT_TOKEN_TTL_SECONDS : Number(values.ttl);
  if (
    !values.room ||
    !role ||
    !ROLES.includes(role) ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < 1 ||
    ttlSeconds > MAX_TOKEN_TTL_SECONDS
  ) {
    throw new Error(USAGE);
  }
  const tokens = new RoomTokens(loadConfig().tokenSecret);
  const minted = await tokens.mint({
    roomId: values.room,
    role,
    ttlSeconds,
    ...(values.name ? { name: values.name } : {}),
  });
  const link = `/r/${encodeURIComponent(values.room)}#token=${minted.token}`;
  process.stdout.write(`${minted.token}\n${link}\nexpires ${new Date(minted.expiresAt).toISOString()}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
