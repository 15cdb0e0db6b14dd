/**
 * Lua of the cluster-wide upstream slots (see redis-slots.ts). KEYS: holders (ZSET id → lease
 * expiry), line (ZSET id → arrival number), arrivals (counter), waiter leases (HASH id → expiry).
 * Times are Redis's own clock, so nodes' clocks do not matter.
 */

/**
 * ARGV: id, max, leaseMs. Renews a held slot, or joins / stays in the line and takes a slot when
 * one is free for this place. Returns 0 when the slot is held, else the place in line (1 = next).
 * Holders and waiters whose lease lapsed (their node died) are dropped first.
 */
export const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id, max, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local leases = redis.call('HGETALL', KEYS[4])
for i = 1, #leases, 2 do
  if tonumber(leases[i + 1]) < now then
    redis.call('ZREM', KEYS[2], leases[i])
    redis.call('HDEL', KEYS[4], leases[i])
  end
end
local keep = math.max(lease * 12, 60000)
for i = 1, 4 do if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], keep) end end
if redis.call('ZSCORE', KEYS[1], id) then
  redis.call('ZADD', KEYS[1], now + lease, id)
  return 0
end
if not redis.call('ZSCORE', KEYS[2], id) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), id)
  redis.call('PEXPIRE', KEYS[3], keep)
end
local rank = redis.call('ZRANK', KEYS[2], id)
if rank < max - redis.call('ZCARD', KEYS[1]) then
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[4], id)
  redis.call('ZADD', KEYS[1], now + lease, id)
  redis.call('PEXPIRE', KEYS[1], keep)
  return 0
end
redis.call('HSET', KEYS[4], id, now + lease)
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], keep) end
return rank + 1
`;

/** ARGV: id. Gives the slot back, or leaves the line. */
export const DROP_SLOT = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
return 1
`;
