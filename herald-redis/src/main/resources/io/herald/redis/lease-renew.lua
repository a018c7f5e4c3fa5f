-- Extends a room's lease only if it is still the caller's: an expired lease is never revived, and
-- a successor's lease is never extended by a stale owner.
-- KEYS[1] lease   ARGV[1] "<node id>:<token>" the caller holds   ARGV[2] lease ms
-- Returns 1 when extended, 0 when the lease is gone or another's.
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
