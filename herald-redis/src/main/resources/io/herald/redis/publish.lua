-- Appends one publication to a stream and publishes it, atomically, so pub/sub order = offset order.
-- KEYS[1] meta hash {e = epoch, s = top offset}   KEYS[2] history stream   KEYS[3] pub/sub channel
-- ARGV[1] payload   ARGV[2] history size (0 = keep no history)   ARGV[3] history TTL seconds
-- ARGV[4] meta TTL seconds   ARGV[5] epoch to use if the stream has none   ARGV[6] 'publish' or 'spublish'
-- KEYS[4] (optional) set of the nodes subscribed to the stream, read in the same step as the publish
-- Returns {offset, epoch, nodes} (nodes empty without KEYS[4]).
local offset = redis.call('hincrby', KEYS[1], 's', 1)
local epoch = redis.call('hget', KEYS[1], 'e')
if not epoch then
  -- the meta hash is new (first publish, or it expired or was evicted): a new epoch, and a history
  -- left from the old epoch must go, or its higher ids would refuse the restarted offsets
  -- (a stream first read, not published, has its epoch already: history.lua created it at offset 0)
  epoch = ARGV[5]
  redis.call('hset', KEYS[1], 'e', epoch)
  redis.call('del', KEYS[2])
end
redis.call('expire', KEYS[1], ARGV[4])
local id = string.format('%d', offset)
if tonumber(ARGV[2]) > 0 then
  redis.call('xadd', KEYS[2], 'MAXLEN', '~', ARGV[2], id .. '-0', 'd', ARGV[1])
  redis.call('expire', KEYS[2], ARGV[3])
end
redis.call(ARGV[6], KEYS[3], 'h1:' .. id .. ':' .. epoch .. ':' .. ARGV[1])
local nodes = {}
if KEYS[4] then
  nodes = redis.call('smembers', KEYS[4])
end
return {offset, epoch, nodes}
