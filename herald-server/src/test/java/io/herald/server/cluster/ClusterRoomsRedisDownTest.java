package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that cannot reach Redis neither hosts nor forwards rooms: a new room socket is refused with 503
 * before the upgrade, a socket it forwarded closes with 1012, and once Redis is back rooms work again.
 */
class ClusterRoomsRedisDownTest {
    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    private static TestServer node;

    @BeforeAll
    static void start() {
        node = TestServer.start(ClusterRoomsTest.rooms(ClusterNode.config(REDIS.url(0), PG, "solo")));
    }

    @org.junit.jupiter.api.BeforeEach
    void redisIsReachable() {
        waiting().atMost(java.time.Duration.ofSeconds(30)).until(() -> node.get("/readyz").statusCode() == 200);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aForwardedSocketOfANodeCutOffFromRedisClosesWith1012() {
        TestServer other = TestServer.start(ClusterRoomsTest.rooms(ClusterNode.config(REDIS.url(0), PG, "other")));
        try {
            String room = "fwd-" + System.nanoTime();
            WsClient owner = other.openSilently("/parties/lobby/" + room + "?_pk=o");
            WsClient forwarded = node.openSilently("/parties/lobby/" + room + "?_pk=f");
            forwarded.send("hi");
            assertThat(owner.next()).isEqualTo("hi");
            REDIS.kill(0);
            waiting().atMost(java.time.Duration.ofSeconds(30)).until(forwarded::isClosed);
            assertThat(forwarded.awaitClose()).isEqualTo(1012);
        } finally {
            REDIS.restart(0);
            other.close();
        }
    }

    @Test
    void newRoomSocketsGet503WhileRedisIsDownAndJoinAgainOnceItIsBack() {
        WsClient before = node.openSilently("/parties/lobby/down-" + System.nanoTime() + "?_pk=a");
        before.send("nobody else here");
        REDIS.kill(0);
        waiting().until(() -> node.get("/readyz").statusCode() == 503);
        var refused = node.refusedUpgrade("/parties/lobby/down-" + System.nanoTime() + "?_pk=b");
        assertThat(refused.getResponse().statusCode()).isEqualTo(503);
        REDIS.restart(0);
        waiting().atMost(java.time.Duration.ofSeconds(30)).until(() -> node.get("/readyz").statusCode() == 200);
        String room = "up-" + System.nanoTime();
        WsClient one = node.openSilently("/parties/lobby/" + room + "?_pk=c");
        WsClient two = node.openSilently("/parties/lobby/" + room + "?_pk=d");
        one.send("back");
        assertThat(two.next()).isEqualTo("back");
    }
}
