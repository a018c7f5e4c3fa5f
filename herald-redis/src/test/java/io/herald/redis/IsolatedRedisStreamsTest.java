package io.herald.redis;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The stream contract on three isolated Redis servers, streams placed by ShardRing. */
class IsolatedRedisStreamsTest extends RedisStreamsContract {

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
