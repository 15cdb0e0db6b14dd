/**
 * Lua for shared prompts (ask-once, RoomStore.claimPrompt): one script checks and claims, so two
 * readers arriving at once on different nodes get one question. KEYS[1]: the room's prompts HASH.
 */

/** ARGV: key, claim JSON, messageId of the claim replaced (or ""), ttl ms, max keys. Returns the holder's JSON. */
export const CLAIM_PROMPT = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then
  if ARGV[3] == '' or cjson.decode(held).messageId ~= ARGV[3] then return held end
elseif redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[5]) then
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return ARGV[2]
`;

/** ARGV: key, messageId of the claim giving up. */
export const RELEASE_PROMPT = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held and cjson.decode(held).messageId == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;
