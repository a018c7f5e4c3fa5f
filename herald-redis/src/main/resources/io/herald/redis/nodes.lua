-- Lists the live nodes with their info, dropping expired ones first (Redis's clock).
-- KEYS[1] sorted set: node id scored by its expiry (ms)   KEYS[2] hash: node id -> "<instance>\t<info>"
-- Returns {id1, value1, id2, value2, ...}.
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('zrangebyscore', KEYS[1], '-inf', now)
if #expired > 0 then
  redis.call('zremrangebyscore', KEYS[1], '-inf', now)
  redis.call('hdel', KEYS[2], unpack(expired))
end
local ids = redis.call('zrange', KEYS[1], 0, -1)
if #ids == 0 then
  return {}
end
local values = redis.call('hmget', KEYS[2], unpack(ids))
local out = {}
for i, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = values[i] or ''
end
return out
