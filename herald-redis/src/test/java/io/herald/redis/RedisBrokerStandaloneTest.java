package io.herald.redis;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker contract on one standalone Redis. */
class RedisBrokerStandaloneTest extends RedisBrokerTest {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @Override
    RedisProcesses redis() {
        return REDIS;
    }

    @Override
    RedisConfig.Topology topology() {
        return RedisConfig.Topology.STANDALONE;
    }
}
