-- Starts a stream over: its meta hash (epoch, offset, keyed sources' marks) and history go, so the
-- next publish or history read gives it a new epoch; the nodes subscribed are told on its channel.
-- KEYS[1] meta hash   KEYS[2] history stream   KEYS[3] pub/sub channel
-- ARGV[1] 'publish' or 'spublish'   ARGV[2] the restart notice frame
redis.call('del', KEYS[1], KEYS[2])
redis.call(ARGV[1], KEYS[3], ARGV[2])
return 1
