package io.herald.redis;

import org.junit.jupiter.api.extension.RegisterExtension;

/** Room leases on a 3-master Redis Cluster, each room's two keys in one slot. */
class ClusterRedisRoomLeasesTest extends RedisRoomLeasesContract {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.cluster(3);

    @Override
    RedisProcesses redis() {
        return REDIS;
    }

    @Override
    RedisConfig.Topology topology() {
        return RedisConfig.Topology.CLUSTER;
    }
}
