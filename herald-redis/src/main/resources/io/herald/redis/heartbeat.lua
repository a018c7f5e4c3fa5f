-- Writes one node's heartbeat and returns the live nodes, all by Redis's clock (nodes' clocks may differ).
-- KEYS[1] sorted set: node id scored by its expiry (ms)   KEYS[2] hash: node id -> "<instance>\t<info>"
-- ARGV[1] node id   ARGV[2] expiry ms   ARGV[3] instance token (one per start)   ARGV[4] info
-- Returns {1, live ids, renewed} when written, renewed = 1 when the node was registered already (0 after an
-- expiry or a Redis that lost its data); {0, live ids} when the id is held by another live instance.
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('zrangebyscore', KEYS[1], '-inf', now)
if #expired > 0 then
  redis.call('zremrangebyscore', KEYS[1], '-inf', now)
  redis.call('hdel', KEYS[2], unpack(expired))
end
local held = redis.call('hget', KEYS[2], ARGV[1])
local present = redis.call('zscore', KEYS[1], ARGV[1])
if held and present and string.sub(held, 1, #ARGV[3] + 1) ~= ARGV[3] .. '\t' then
  return {0, redis.call('zrange', KEYS[1], 0, -1)}
end
local ttl = tonumber(ARGV[2])
redis.call('zadd', KEYS[1], now + ttl, ARGV[1])
redis.call('hset', KEYS[2], ARGV[1], ARGV[3] .. '\t' .. ARGV[4])
-- the keys live as long as the longest-lived member: never shorten them for a node with a short expiry
for _, key in ipairs(KEYS) do
  if redis.call('pttl', key) < ttl then
    redis.call('pexpire', key, ttl)
  end
end
return {1, redis.call('zrange', KEYS[1], 0, -1), present and 1 or 0}
