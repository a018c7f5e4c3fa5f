-- Reads a stream's position and the publications after an offset, atomically.
-- KEYS[1] meta hash   KEYS[2] history stream
-- ARGV[1] first id to return ('<since + 1>-0')   ARGV[2] how many at most (XRANGE COUNT)
-- Returns {epoch or '', top offset or 0, entries} where entries are XRANGE's [id, [field, value]] pairs.
local meta = redis.call('hmget', KEYS[1], 'e', 's')
if not meta[1] then
  return {'', 0, {}}
end
return {meta[1], tonumber(meta[2]), redis.call('xrange', KEYS[2], ARGV[1], '+', 'COUNT', ARGV[2])}
