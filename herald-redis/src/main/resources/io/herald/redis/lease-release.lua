-- Deletes a room's lease only if it is still the caller's, so a stale owner never deletes a successor's.
-- KEYS[1] lease   ARGV[1] "<node id>:<token>" the caller holds
-- Returns 1 when deleted, 0 when the lease is gone or another's.
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
