/**
 * Lua scripts run atomically by Redis. Each one refreshes the TTL of every key it touches
 * (ARGV ttl in ms), so a room's keys expire together once the room goes quiet.
 */

/** KEYS: order, messages, seqs. ARGV: id, json, ttlMs, historyLimit, keyBase. Trims the oldest. */
export const ADD_MESSAGE = `
local id, json, ttl, limit, base = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
redis.call('HSET', KEYS[2], id, json)
redis.call('HSET', KEYS[3], id, 0)
redis.call('RPUSH', KEYS[1], id)
while redis.call('LLEN', KEYS[1]) > limit do
  local old = redis.call('LPOP', KEYS[1])
  redis.call('HDEL', KEYS[2], old)
  redis.call('HDEL', KEYS[3], old)
  redis.call('DEL', base .. ':text:' .. old, base .. ':log:' .. old)
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
return 1
`;

/** KEYS: seqs, text, log. ARGV: id, seq, text, ttlMs. Returns 1, or 0 when seq is not next. */
export const APPEND_DELTA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or tonumber(current) + 1 ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('APPEND', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[3])
local ttl = tonumber(ARGV[4])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ttl) end
return 1
`;

/** KEYS: messages. ARGV: id, patchJson, ttlMs. Merges the patch into the stored JSON. */
export const UPDATE_MESSAGE = `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return 0 end
local message = cjson.decode(json)
for k, v in pairs(cjson.decode(ARGV[2])) do message[k] = v end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(message))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;
