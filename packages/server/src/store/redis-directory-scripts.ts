/**
 * Lua scripts of the Redis member directory (see redis-directory.ts). Per room: a sorted set of
 * member ids scored by role rank × ROLE_SPAN + join time (so owner and presenters list first and
 * each role is a score range that ZCOUNT counts), a hash id → member JSON (with the member's client
 * IP, never listed) and a hash client IP → members (kept with every add and removal, so that a join
 * counts an IP's members without a scan). Per node: a set of "<room> <member>" so that the members
 * of a dead node can be found and removed.
 */

/** Score distance between roles: larger than any ms timestamp. */
export const ROLE_SPAN = 1e13;

/**
 * KEYS: room members, room info, node members, room IPs. ARGV: id, score, json, entry, ttlMs, ip
 * ('' for none). A member added again (restored after an outage) is counted once.
 */
export const ADD_MEMBER = `
local added = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[4])
if added == 1 and ARGV[6] ~= '' then redis.call('HINCRBY', KEYS[4], ARGV[6], 1) end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[5]) end
return 1
`;

/**
 * KEYS: room members, room info, node members, room IPs. ARGV: id, entry. Returns 1 when the
 * member was there (then its IP counts one member less).
 */
export const REMOVE_MEMBER = `
redis.call('SREM', KEYS[3], ARGV[2])
local json = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 and json then
  local ip = cjson.decode(json).ip
  if type(ip) == 'string' and redis.call('HINCRBY', KEYS[4], ip, -1) <= 0 then redis.call('HDEL', KEYS[4], ip) end
end
return removed
`;

/**
 * KEYS: room members, room info. ARGV: limit, roles, span, after score ('' for the start), after id.
 * Returns { count, count of role 0..roles-1, 1 when members follow the page else 0, json... }: up to
 * `limit` members (lowest score first: most powerful role, then earliest; equal scores by id, as
 * the sorted set orders them) after the place (score, id), which need not be a member's any more.
 * O(log n) to find the start (log n per step of a binary search among equal scores) plus the page.
 */
export const PAGE_MEMBERS = `
local span = tonumber(ARGV[3])
local total = redis.call('ZCARD', KEYS[1])
local result = { total }
for rank = 0, tonumber(ARGV[2]) - 1 do
  table.insert(result, redis.call('ZCOUNT', KEYS[1], rank * span, '(' .. ((rank + 1) * span)))
end
-- Byte order, as the sorted set compares equal scores (Lua's '<' on strings follows the locale).
local function sortsBefore(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local start = 0
if ARGV[4] ~= '' then
  start = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[4])
  local stop = start + redis.call('ZCOUNT', KEYS[1], ARGV[4], ARGV[4])
  while start < stop do -- the first rank among equal scores whose id sorts after the place's
    local middle = math.floor((start + stop) / 2)
    local id = redis.call('ZRANGE', KEYS[1], middle, middle)[1]
    if sortsBefore(ARGV[5], id) then stop = middle else start = middle + 1 end
  end
end
local limit = tonumber(ARGV[1])
table.insert(result, (start + limit < total) and 1 or 0)
local ids = {}
if limit > 0 then ids = redis.call('ZRANGE', KEYS[1], start, start + limit - 1) end
if #ids > 0 then
  for _, json in ipairs(redis.call('HMGET', KEYS[2], unpack(ids))) do
    if json then table.insert(result, json) end
  end
end
return result
`;

/** KEYS: nodes, node members. ARGV: nodeId, ttlMs. Records that the node is alive now (Redis time). */
export const HEARTBEAT = `
local now = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1
`;

/** KEYS: nodes. ARGV: deadAfterMs, selfId. Node ids whose last heartbeat is older than deadAfterMs. */
export const DEAD_NODES = `
local now = redis.call('TIME')
local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[1])
local dead = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)) do
  if id ~= ARGV[2] then table.insert(dead, id) end
end
return dead
`;
