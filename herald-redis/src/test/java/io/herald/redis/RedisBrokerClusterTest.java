package io.herald.redis;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker contract on a 3-master Redis Cluster with sharded pub/sub. */
class RedisBrokerClusterTest extends RedisBrokerTest {

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
