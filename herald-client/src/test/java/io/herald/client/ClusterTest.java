package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.config.ClusterConfig;
import io.herald.config.HeraldConfig;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes, {@code a} and {@code b}, on one real Redis (and one PostgreSQL, the storage a cluster
 * needs): a publish on one node answers the deliveries of both with the node count, and the node list
 * names both. Skipped, with a line, where {@code redis-server} or PostgreSQL's binaries are missing.
 */
class ClusterTest {
    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    private static TestServer a;
    private static TestServer b;

    static HeraldConfig node(String id) {
        return TestServer.config(ClientServers.CONFIG)
                .withCluster(new ClusterConfig(id, new ClusterConfig.Redis(REDIS.url(0), null, null, null), null))
                .withStorage(PG.storage("herald_client"));
    }

    @BeforeAll
    static void start() {
        a = TestServer.start(node("a"));
        b = TestServer.start(node("b"));
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

    @Test
    void aPublishOnOneNodeCountsTheDeliveriesAndNodesOfBoth() {
        WsClient onA = a.member("u_a", "org_c", "owner");
        WsClient onB = b.member("u_b", "org_c", "owner");
        HeraldClient client = ClientServers.client(a);
        // b subscribes to the scope in Redis a moment after its socket opened: probe until both count
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> client.broadcast(Broadcast.of("probe", null, Target.organization("org_c"))).delivered() == 2);

        BroadcastResult r = client.publishChange(Change.insert("applications", Target.organization("org_c"),
                java.util.Map.of("id", "app_c", "ssn", "123-45-6789")));

        assertThat(r.delivered()).isEqualTo(2);
        assertThat(r.nodes()).isEqualTo(OptionalInt.of(2));
        assertThat(r.partial()).isFalse();
        for (WsClient socket : new WsClient[] {onA, onB}) {
            String m;
            do {
                m = socket.next();
            } while (m.contains("\"probe\""));
            assertThat(TestServer.json(m).get("new").get("id").asText()).isEqualTo("app_c");
        }
        BroadcastResult skipped = client.publishChange(Change.delete("notes", Target.organization("org_c"), java.util.Map.of("id", 1)));
        assertThat(skipped.skipped()).hasValue("onDelete disabled");
        assertThat(skipped.nodes()).as("a skipped event has no node count").isEmpty();
    }

    @Test
    void theNodeListNamesBothNodes() {
        HeraldClient client = ClientServers.client(b);

        await().atMost(Duration.ofSeconds(20)).until(() -> client.nodes().nodes().size() == 2);
        ClusterNodes nodes = client.nodes();

        assertThat(nodes.nodes()).extracting(ClusterNodes.Node::id).containsExactly("a", "b");
        assertThat(nodes.nodes()).extracting(ClusterNodes.Node::address)
                .containsExactly("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port());
        assertThat(nodes.nodes()).allSatisfy(n -> {
            assertThat(n.started()).isBefore(java.time.Instant.now());
            assertThat(n.connections()).isNotEmpty(); // by primitive, as far as this node's gauges exist yet
        });
    }
}
