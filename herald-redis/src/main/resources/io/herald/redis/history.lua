-- Reads a stream's position and the publications after an offset, atomically; a stream that does not
-- exist yet is created at offset 0 under a new epoch, so a reader is given an epoch it can resume from.
-- KEYS[1] meta hash   KEYS[2] history stream
-- ARGV[1] first id to return ('<since + 1>-0')   ARGV[2] how many at most (XRANGE COUNT)
-- ARGV[3] epoch to use if the stream has none   ARGV[4] meta TTL seconds
-- Returns {epoch, top offset, entries} where entries are XRANGE's [id, [field, value]] pairs.
local meta = redis.call('hmget', KEYS[1], 'e', 's')
if not meta[1] then
  redis.call('hset', KEYS[1], 'e', ARGV[3])
  redis.call('hsetnx', KEYS[1], 's', 0)
  redis.call('expire', KEYS[1], ARGV[4])
  redis.call('del', KEYS[2])
  return {ARGV[3], tonumber(redis.call('hget', KEYS[1], 's')), {}}
end
return {meta[1], tonumber(meta[2]), redis.call('xrange', KEYS[2], ARGV[1], '+', 'COUNT', ARGV[2])}
