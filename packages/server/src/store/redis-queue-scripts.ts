/**
 * Lua scripts of the Redis question queue (see redis-queue.ts). Per room: a hash of question
 * JSON, a hash of votes, a hash of revs (the queue version of each question's last change), the
 * queue's version, and per question a set of who voted (one vote each).
 *
 * Versions come from the Redis clock (microseconds), kept increasing per room: they go on rising
 * even after the room's keys expired and were made again, so a member who still holds a list of
 * before never mistakes a new question for an old one.
 */

/** Sets the queue's version (KEYS[version]) to the next one and returns it. */
const BUMP = `
local function bump(key, ttl)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local version = math.max((tonumber(redis.call('GET', key)) or 0) + 1, now)
  redis.call('SET', key, string.format('%.0f', version), 'PX', ttl)
  return version
end
`;

/** KEYS: queue, votes, revs, version. ARGV: id, json, maxQueued, ttlMs. 1 when queued, 0 when full. */
export const SUBMIT_QUESTION = `${BUMP}
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], 0)
redis.call('HSET', KEYS[3], ARGV[1], string.format('%.0f', bump(KEYS[4], ARGV[4])))
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return 1
`;

/**
 * KEYS: queue, votes, voters, revs, version. ARGV: id, voterId, ttlMs. The votes after it, or -1 when there is no
 * such question.
 */
export const VOTE_QUESTION = `${BUMP}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
if redis.call('SADD', KEYS[3], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
  redis.call('HSET', KEYS[4], ARGV[1], string.format('%.0f', bump(KEYS[5], ARGV[3])))
end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
`;

/** Removes question `id` (KEYS: queue, votes, voters, revs, version); returns its votes. */
const REMOVE = `
local function remove(id, ttl)
  local votes = redis.call('HGET', KEYS[2], id) or '0'
  redis.call('HDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  redis.call('DEL', KEYS[3])
  redis.call('HDEL', KEYS[4], id)
  bump(KEYS[5], ttl)
  return votes
end
`;

/**
 * KEYS: queue, votes, voters, revs, version. ARGV: id, ttlMs. Removes the question: { json, votes }, or nil when it
 * is gone.
 */
export const TAKE_QUESTION = `${BUMP}${REMOVE}
local json = redis.call('HGET', KEYS[1], ARGV[1])
if not json then return nil end
return { json, remove(ARGV[1], ARGV[2]) }
`;

/**
 * KEYS: queue, votes, voters, revs, version. ARGV: id, voterId, ttlMs. Takes the voter's vote back: the votes after
 * it, or -1 when there is no such question.
 */
export const UNVOTE_QUESTION = `${BUMP}
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
if redis.call('SREM', KEYS[3], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[1], -1)
  redis.call('HSET', KEYS[4], ARGV[1], string.format('%.0f', bump(KEYS[5], ARGV[3])))
end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
`;

/** The question's JSON when `asker` asked it: 0 when it is gone, -1 when someone else asked it. */
const OWNED = `
local function owned(id, asker)
  local json = redis.call('HGET', KEYS[1], id)
  if not json then return 0 end
  if cjson.decode(json).asker ~= asker then return -1 end
  return json
end
`;

/** KEYS: queue, votes, voters, revs, version. ARGV: id, asker, ttlMs. 1 when withdrawn, 0 gone, -1 not the asker's. */
export const WITHDRAW_QUESTION = `${BUMP}${REMOVE}${OWNED}
local json = owned(ARGV[1], ARGV[2])
if type(json) ~= 'string' then return json end
remove(ARGV[1], ARGV[3])
return 1
`;

/** KEYS: queue, revs, version. ARGV: id, asker, text, ttlMs. 1 when edited, 0 gone, -1 not the asker's. */
export const EDIT_QUESTION = `${BUMP}${OWNED}
local json = owned(ARGV[1], ARGV[2])
if type(json) ~= 'string' then return json end
local question = cjson.decode(json)
question.text = ARGV[3]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(question))
redis.call('HSET', KEYS[2], ARGV[1], string.format('%.0f', bump(KEYS[3], ARGV[4])))
for i = 1, 2 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
return 1
`;
