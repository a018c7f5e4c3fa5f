-- Appends a source's keyed publications to a stream in order, each unless its key is not above the
-- highest key that source published here (so a replay publishes nothing twice), atomically.
-- KEYS[1] meta hash {e = epoch, s = top offset, o:<source> = highest key}   KEYS[2] history stream
-- KEYS[3] pub/sub channel
-- ARGV[1] history size (0 = keep no history)   ARGV[2] history TTL seconds   ARGV[3] meta TTL seconds
-- ARGV[4] epoch to use if the stream has none   ARGV[5] 'publish' or 'spublish'   ARGV[6] source
-- ARGV[7], ARGV[8] ... key, payload pairs, keys increasing (fixed-width lower-case hex: compared as strings)
-- Returns the number of publications taken.
local field = 'o:' .. ARGV[6]
local epoch = redis.call('hget', KEYS[1], 'e')
if not epoch then
  -- a new meta hash (first publish, or it expired or was restarted): a new epoch, and no old history
  epoch = ARGV[4]
  redis.call('hset', KEYS[1], 'e', epoch)
  redis.call('del', KEYS[2])
end
local mark = redis.call('hget', KEYS[1], field)
local size = tonumber(ARGV[1])
local taken = 0
for i = 7, #ARGV, 2 do
  local key = ARGV[i]
  if (not mark) or key > mark then
    local offset = redis.call('hincrby', KEYS[1], 's', 1)
    local id = string.format('%d', offset)
    if size > 0 then
      redis.call('xadd', KEYS[2], 'MAXLEN', '~', ARGV[1], id .. '-0', 'd', ARGV[i + 1])
    end
    redis.call(ARGV[5], KEYS[3], 'h1:' .. id .. ':' .. epoch .. ':' .. ARGV[i + 1])
    mark = key
    taken = taken + 1
  end
end
if mark then
  redis.call('hset', KEYS[1], field, mark)
end
redis.call('expire', KEYS[1], ARGV[3])
if taken > 0 and size > 0 then
  redis.call('expire', KEYS[2], ARGV[2])
end
return taken
