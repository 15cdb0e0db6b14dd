/**
 * Lua scripts of the Redis question queue (see redis-queue.ts). Per room: a hash of question
 * JSON, a hash of votes, and per question a set of who voted (one vote each).
 */

/** KEYS: queue, votes. ARGV: id, json, maxQueued, ttlMs. 1 when queued, 0 when full. */
export const SUBMIT_QUESTION = `
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], 0)
for i = 1, 2 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return 1
`;

/** KEYS: queue, votes, voters. ARGV: id, voterId, ttlMs. The votes after it, or -1 when there is no such question. */
export const VOTE_QUESTION = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[3], ARGV[2]) == 1 then redis.call('HINCRBY', KEYS[2], ARGV[1], 1) end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
`;

/** KEYS: queue, votes, voters. ARGV: id. Removes the question: { json, votes }, or nil when it is gone. */
export const TAKE_QUESTION = `
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return nil end
local votes = redis.call('HGET', KEYS[2], ARGV[1]) or '0'
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return { json, votes }
`;
