package io.herald.server.cluster;

import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import io.herald.server.broadcast.BroadcastResumeContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Broadcast resume across two nodes on Redis: events published on node a, sockets (and their history reads) on node b. */
class ClusterBroadcastResumeTest extends BroadcastResumeContract {
    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @TempDir
    static Path dir;

    private static TestServer a;
    private static TestServer b;

    @BeforeAll
    static void start() {
        a = TestServer.start(withHistory(ClusterNode.config(REDIS.url(0), "a", dir)));
        b = TestServer.start(withHistory(ClusterNode.config(REDIS.url(0), "b", dir)));
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Override
    protected TestServer publisher() {
        return a;
    }

    @Override
    protected TestServer sockets() {
        return b;
    }
}
