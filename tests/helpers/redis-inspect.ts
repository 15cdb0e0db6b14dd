/**
 * Reads a test's private redis-server with redis-cli (shipped with redis-server): which keys
 * exist under a prefix, and how long each has to live.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** KEYS is fine on a private test server; PTTL per key in the same atomic call. */
const KEYS_WITH_PTTL = `
local out = {}
for _, key in ipairs(redis.call('KEYS', ARGV[1])) do
  out[#out + 1] = key
  out[#out + 1] = redis.call('PTTL', key)
end
return out
`;

/** Every key matching `pattern` with its PTTL in ms (-1: no expiry). */
export async function keysWithPttl(port: number, pattern: string): Promise<Map<string, number>> {
  const { stdout } = await run("redis-cli", ["-p", String(port), "EVAL", KEYS_WITH_PTTL, "0", pattern]);
  const lines = stdout.split("\n").filter((line) => line !== "");
  const keys = new Map<string, number>();
  for (let i = 0; i + 1 < lines.length; i += 2) keys.set(lines[i]!, Number(lines[i + 1]));
  return keys;
}
