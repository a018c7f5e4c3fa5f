package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health, readiness and the node list of a real single node. */
class NodeStatusTest {
    @TempDir
    static Path dir;
    private static TestServer server;
    private static HeraldClient client;
    private static Instant before;

    @BeforeAll
    static void start() {
        before = Instant.now();
        server = ClientServers.start("", dir);
        client = ClientServers.client(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRunningNodeIsHealthyAndReady() throws Exception {
        NodeStatus health = client.health();
        NodeStatus ready = client.readinessAsync().get(10, TimeUnit.SECONDS);

        assertThat(health.isOk()).isTrue();
        assertThat(health.httpStatus()).isEqualTo(200);
        assertThat(health.status()).hasValue("ok");
        assertThat(health.error()).isEmpty();
        assertThat(ready.isOk()).isTrue();
        assertThat(ready.status()).hasValue("ready");
        assertThat(client.healthAsync().get(10, TimeUnit.SECONDS)).isEqualTo(health);
    }

    @Test
    void healthNeedsNoAccessToken() {
        HeraldClient anonymous = HeraldClient.builder().baseUrl(ClientServers.baseUrl(server)).build();

        assertThat(anonymous.health().isOk()).isTrue();
        assertThat(anonymous.readiness().isOk()).isTrue();
    }

    @Test
    void aSingleNodeListsItselfWithItsConnections() throws Exception {
        server.member("u_nodes", "org_nodes", "owner"); // closed with the server

        ClusterNodes nodes = client.nodes();

        assertThat(nodes.nodes()).hasSize(1);
        ClusterNodes.Node node = nodes.nodes().get(0);
        assertThat(node.id()).isNotBlank();
        assertThat(node.address()).endsWith(":" + server.port());
        assertThat(node.started()).isBetween(before.minus(Duration.ofSeconds(1)), Instant.now());
        assertThat(node.connections()).containsEntry("broadcast", 1);
        assertThat(node.roles()).isEmpty();
        assertThat(nodes.cdcLeader()).isEmpty();
        assertThat(client.nodesAsync().get(10, TimeUnit.SECONDS).nodes()).extracting(ClusterNodes.Node::id).containsExactly(node.id());
    }
}
