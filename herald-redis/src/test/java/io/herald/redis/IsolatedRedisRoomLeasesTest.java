package io.herald.redis;

import org.junit.jupiter.api.extension.RegisterExtension;

/** Room leases on two isolated Redis servers, rooms placed by ShardRing. */
class IsolatedRedisRoomLeasesTest extends RedisRoomLeasesContract {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.isolated(2);

    @Override
    RedisProcesses redis() {
        return REDIS;
    }

    @Override
    RedisConfig.Topology topology() {
        return RedisConfig.Topology.ISOLATED;
    }
}
