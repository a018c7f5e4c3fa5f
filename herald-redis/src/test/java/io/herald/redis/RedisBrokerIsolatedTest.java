package io.herald.redis;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker contract on three isolated Redis servers. */
class RedisBrokerIsolatedTest extends RedisBrokerTest {

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.isolated(3);

    @Override
    RedisProcesses redis() {
        return REDIS;
    }

    @Override
    RedisConfig.Topology topology() {
        return RedisConfig.Topology.ISOLATED;
    }
}
