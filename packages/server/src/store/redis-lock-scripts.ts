/**
 * Lua scripts of the answer locks (see redis-locks.ts). The lock key holds the id of the answer
 * that owns the room; the registry is a sorted set of "<room> <answer>" scored by start time.
 */

/** KEYS: lock, registry. ARGV: answerId, registryMember, lockTtlMs, registryTtlMs. 1 when taken. */
export const ACQUIRE_LOCK = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[3]) then return 0 end
local now = redis.call('TIME')
redis.call('ZADD', KEYS[2], tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
`;

/**
 * KEYS: lock, room messages hash. ARGV: answerId, lockTtlMs. Extends the lease while the answer
 * is still streaming; re-takes a lapsed lease nobody else took; gives the room back (and answers
 * 0) when the answer has ended meanwhile (e.g. another node ended it after a lapse).
 */
export const RENEW_LOCK = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
local json = redis.call('HGET', KEYS[2], ARGV[1])
if not json or cjson.decode(json).status ~= 'streaming' then
  if holder then redis.call('DEL', KEYS[1]) end
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** KEYS: lock, registry. ARGV: answerId, registryMember. Deletes the lock only while it is this answer's. */
export const RELEASE_LOCK = `
redis.call('ZREM', KEYS[2], ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: lock. ARGV: answerId. Deletes the lock only while it is this answer's; the registry keeps it (an orphan). */
export const HAND_OVER_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
