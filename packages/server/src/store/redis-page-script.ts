/**
 * The Lua script that picks a history page's message ids in Redis, so that a join or a
 * `room:history` request loads only the page's texts, never the whole history's.
 */
import { luaMessageKey } from "./redis-keys.ts";

/**
 * Bytes a message's JSON takes beyond its stored JSON (without text and seq) and its text:
 * `,"text":""` and `,"seq":0`. An estimate from below (escapes in the text add more), so the
 * script's pick holds the exact page, which `newestWithin` then cuts to size.
 */
const TEXT_AND_SEQ_BYTES = 18;

/**
 * KEYS: order, messages. ARGV: before ('' for the newest), maxMessages, maxBytes, keyBase (see luaMessageKey).
 * Walks from the newest message back (from just before `before`) by the rule of `newestWithin`
 * with estimated sizes (stored JSON + STRLEN of the text). Returns { older (1|0), ids oldest
 * first }, or -1 when `before` is not in the history.
 */
export const PAGE_IDS = `
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local last = #ids
if ARGV[1] ~= '' then
  last = -1
  for i = #ids, 1, -1 do
    if ids[i] == ARGV[1] then last = i - 1 break end
  end
  if last < 0 then return -1 end
end
local maxMessages, maxBytes, base = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local bytes, first = 0, last + 1
while first > 1 do
  local id = ids[first - 1]
  local json = redis.call('HGET', KEYS[2], id) or '{}'
  local size = #json + redis.call('STRLEN', ${luaMessageKey("text", "base", "id")}) + ${TEXT_AND_SEQ_BYTES}
  local taken = last - first + 1
  local live = string.find(json, '"status":"streaming"', 1, true) or string.find(json, '"status":"pending"', 1, true)
  if taken > 0 and not live and (taken >= maxMessages or bytes + size > maxBytes) then break end
  bytes = bytes + size
  first = first - 1
end
local page = {}
for i = first, last do page[#page + 1] = ids[i] end
return { first > 1 and 1 or 0, page }
`;
