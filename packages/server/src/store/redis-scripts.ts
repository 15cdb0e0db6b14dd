/**
 * Lua scripts run atomically by Redis. Each one refreshes the TTL of every key it touches
 * (ARGV ttl in ms), so a room's keys expire together once the room goes quiet.
 */
import { luaMessageKey } from "./redis-keys.ts";

/**
 * Appended to every script that writes a room's history: the room's record and invitation
 * epoch (the last two KEYS) expire with the history, never before it (a private room whose
 * record lapsed mid-answer would otherwise be open to anyone). PEXPIRE of a missing key is a no-op.
 */
const RENEW_ROOM = (ttl: string) => `
redis.call('PEXPIRE', KEYS[#KEYS - 1], ${ttl})
redis.call('PEXPIRE', KEYS[#KEYS], ${ttl})
`;

/**
 * A Lua function: is this message JSON (or nil) a streaming answer its writer may write? `owner` is '' (any
 * writer) or the number of continuations the writer knows, which must be the message's (a stale owner is refused).
 */
const WRITABLE = `
local function writable(json, owner)
  if not json then return false end
  local message = cjson.decode(json)
  if message.status ~= 'streaming' then return false end
  return owner == '' or tonumber(owner) == #(message.continuedBy or {})
end
`;

/**
 * KEYS: order, messages, seqs, record, invitation epoch. ARGV: id, json, ttlMs, historyLimit, keyBase (the room's
 * `base`: message keys are built from it by luaMessageKey, as ids are only known in Redis). Trims the oldest,
 * and refreshes the TTL of every kept message's keys.
 */
export const ADD_MESSAGE = `
local id, json, ttl, limit, base = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
redis.call('HSET', KEYS[2], id, json)
redis.call('HSET', KEYS[3], id, 0)
redis.call('RPUSH', KEYS[1], id)
while redis.call('LLEN', KEYS[1]) > limit do
  local old = redis.call('LPOP', KEYS[1])
  redis.call('HDEL', KEYS[2], old)
  redis.call('HDEL', KEYS[3], old)
  redis.call('DEL', ${luaMessageKey("text", "base", "old")}, ${luaMessageKey("log", "base", "old")})
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
-- Every message's text and log live as long as the room: an old answer must not lose its text.
for _, kept in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  redis.call('PEXPIRE', ${luaMessageKey("text", "base", "kept")}, ttl)
  redis.call('PEXPIRE', ${luaMessageKey("log", "base", "kept")}, ttl)
end
${RENEW_ROOM("ttl")}
return 1
`;

/**
 * KEYS: seqs, text, log, messages, record, invitation epoch. ARGV: id, seq, text, ttlMs, owner ('' or the
 * continuations the writer knows). Returns 1 (appended), 2 (the same delta is already stored: a retry whose first
 * reply was lost) or 0 (refused: the message is not streaming, the writer is not its owner, or the seq is not next).
 */
export const APPEND_DELTA = `
${WRITABLE}
if not writable(redis.call('HGET', KEYS[4], ARGV[1]), ARGV[5]) then return 0 end
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local seq = tonumber(ARGV[2])
if seq ~= current + 1 then
  if seq >= 1 and seq <= current and redis.call('LINDEX', KEYS[3], seq - 1) == ARGV[3] then return 2 end
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], seq)
redis.call('APPEND', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[3])
local ttl = tonumber(ARGV[4])
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
${RENEW_ROOM("ttl")}
return 1
`;

/**
 * KEYS: messages, seqs, text, record, invitation epoch. ARGV: id, patchJson, ttlMs, owner (as APPEND_DELTA). Ends a
 * streaming message once: merges the patch into its JSON and returns { json, seq, text }; returns nil when it is not
 * streaming or the writer is not its owner.
 */
export const FINISH_MESSAGE = `
${WRITABLE}
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not writable(json, ARGV[4]) then return nil end
local message = cjson.decode(json)
for k, v in pairs(cjson.decode(ARGV[2])) do message[k] = v end
local encoded = cjson.encode(message)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
${RENEW_ROOM("tonumber(ARGV[3])")}
return { encoded, redis.call('HGET', KEYS[2], ARGV[1]) or '0', redis.call('GET', KEYS[3]) or '' }
`;

/**
 * KEYS: messages, seqs, text, record, invitation epoch. ARGV: id, place in line (0: not queued), ttlMs. Sets
 * `queued` and `queuePosition` on a streaming message; returns { json, seq, text }, or nil when it is not streaming.
 */
export const SET_QUEUED = `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return nil end
local message = cjson.decode(json)
if message.status ~= 'streaming' then return nil end
local place = tonumber(ARGV[2])
message.queued = place > 0
if place > 0 then message.queuePosition = place else message.queuePosition = nil end
local encoded = cjson.encode(message)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
${RENEW_ROOM("tonumber(ARGV[3])")}
return { encoded, redis.call('HGET', KEYS[2], ARGV[1]) or '0', redis.call('GET', KEYS[3]) or '' }
`;

/**
 * KEYS: messages, seqs, text, record, invitation epoch. ARGV: id, by (a node), ttlMs, owner (as APPEND_DELTA). Takes
 * a streaming answer owned by `owner` over: appends `by` to `continuedBy` (the previous owner's writes are refused from
 * now on), clears its queue place; returns { json, seq, text }, or nil when it is not streaming or not `owner`'s.
 */
export const CONTINUE_MESSAGE = `
${WRITABLE}
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not writable(json, ARGV[4]) then return nil end
local message = cjson.decode(json)
local by = message.continuedBy or {}
by[#by + 1] = ARGV[2]
message.continuedBy = by
message.queued = nil
message.queuePosition = nil
local encoded = cjson.encode(message)
redis.call('HSET', KEYS[1], ARGV[1], encoded)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
${RENEW_ROOM("tonumber(ARGV[3])")}
return { encoded, redis.call('HGET', KEYS[2], ARGV[1]) or '0', redis.call('GET', KEYS[3]) or '' }
`;
