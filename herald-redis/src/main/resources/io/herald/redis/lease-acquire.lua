-- Takes a room's lease when no node holds it, with the next fencing token of the room.
-- KEYS[1] lease: "<node id>:<token>", expiring   KEYS[2] fence: the room's last token, never expiring
-- ARGV[1] node id   ARGV[2] lease ms
-- Returns {1, token} when taken, {0, "<node id>:<token>"} of the holder otherwise.
local held = redis.call('get', KEYS[1])
if held then
  return {0, held}
end
if redis.call('exists', KEYS[2]) == 0 then
  -- A room never seen, or a Redis that lost its data: start from Redis's clock in ms, so tokens
  -- still exceed those handed out before the loss (a room changes owner far less than once a ms).
  local t = redis.call('time')
  redis.call('set', KEYS[2], t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000)))
end
local token = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], ARGV[1] .. ':' .. token, 'px', ARGV[2])
return {1, token}
