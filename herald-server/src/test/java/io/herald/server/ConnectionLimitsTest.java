package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The caps on plain HTTP connections and on connections per client address, and the trusted-proxy
 * rule for {@code X-Forwarded-For}, on real loopback sockets.
 */
class ConnectionLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestServer server;

    private TestServer start(String serverKeys) {
        server = TestServer.start(TestServer.STANDARD.replace("server:\n", "server:\n" + serverKeys));
        return server;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private RawHttp connect() {
        RawHttp c = RawHttp.connect(server.port());
        open.add(c);
        return c;
    }

    /** A keep-alive connection that has been answered once, so the server has certainly accepted it. */
    private RawHttp answered(String... headerLines) {
        RawHttp c = connect();
        assertThat(c.get("/healthz", headerLines).status()).isEqualTo(200);
        return c;
    }

    @Test
    void pastMaxHttpConnectionsANewConnectionIsClosedAtAcceptAndCounted() {
        start("  maxHttpConnections: 2\n");
        answered();
        RawHttp second = answered();

        assertThat(connect().closedByServer()).isTrue();
        assertThat(server.counter("herald.refusals", "reason", "max_http_connections")).isEqualTo(1);

        second.close();
        await().atMost(WAIT).untilAsserted(() -> {
            try (RawHttp again = RawHttp.connect(server.port())) {
                assertThat(again.get("/healthz").status()).isEqualTo(200);
            }
        });
    }

    @Test
    void aConnectionThatUpgradesToAWebSocketLeavesTheHttpCount() {
        start("");
        String ticket = server.ticket(TestServer.jwt("u-up", "org_1", "recruiter"));
        double before = server.gauge("herald.http.connections");
        answered();
        assertThat(server.gauge("herald.http.connections")).isEqualTo(before + 1);

        open.add(RawWebSocket.open(server.port(), "/broadcast/v1/websocket?ws_ticket=" + ticket, 0));

        await().atMost(WAIT).until(() -> server.gauge("herald.http.connections") == before + 1);
    }

    @Test
    void aRoomSocketLeavesTheHttpCount() {
        server = TestServer.start(TestServer.STANDARD + """
                rooms:
                  bindings:
                    - { name: LOBBY, className: io.herald.room.builtin.RelayRoom, access: public }
                """);
        double before = server.gauge("herald.http.connections");

        open.add(RawWebSocket.open(server.port(), "/parties/lobby/r1", 0));

        await().atMost(WAIT).until(() -> server.gauge("herald.http.connections") == before);
    }

    @Test
    void atMaxConnectionsARoomUpgradeIsRefusedWith429BeforeTheRoomSeesAJoin() {
        server = TestServer.start(TestServer.STANDARD.replace("server:\n", "server:\n  maxConnections: 1\n") + """
                rooms:
                  bindings:
                    - { name: PROBE, className: io.herald.server.cluster.ProbeRoom, access: public }
                """);
        // a room of its own: the test server's storage outlives a run
        String room = "/parties/probe/cap-" + Long.toString(System.nanoTime(), 36);
        WsClient first = server.openSilently(room + "?_pk=first");
        assertThat(first.next()).isEqualTo("welcome first");

        RawWebSocket.Response refused = RawWebSocket.upgrade(server.port(), room + "?_pk=second");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body()).contains("\"error\":\"too_many_requests\"");
        // the room ran no onConnect for the refused socket: its place was taken before the join
        JsonNode state = TestServer.json(server.get(room).body());
        assertThat(state.path("connections")).hasSize(1);
        assertThat(state.path("stored").has("connect:second")).isFalse();
        assertThat(state.path("stored").has("connect:first")).isTrue();
    }

    @Test
    void aConnectionUpgradedToH2cStaysInTheHttpCount() {
        start("");
        double before = server.gauge("herald.http.connections");
        java.net.http.HttpClient h2 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_2).build();

        var r = TestServer.send(h2, java.net.http.HttpRequest.newBuilder(server.uri("/healthz")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(server.gauge("herald.http.connections")).isEqualTo(before + 1);
    }

    @Test
    void theThirdConnectionFromOneAddressIsClosedAtAcceptWhenTheCapIsTwo() {
        start("  maxConnectionsPerAddress: 2\n");
        answered();
        RawHttp second = answered();

        assertThat(connect().closedByServer()).isTrue();
        assertThat(server.counter("herald.refusals", "reason", "per_address")).isEqualTo(1);

        second.close();
        await().atMost(WAIT).untilAsserted(() -> {
            try (RawHttp again = RawHttp.connect(server.port())) {
                assertThat(again.get("/healthz").status()).isEqualTo(200);
            }
        });
    }

    @Test
    void aForwardedForHeaderFromAPeerThatIsNotATrustedProxyIsIgnored() {
        start("  maxConnectionsPerAddress: 1\n");
        answered("X-Forwarded-For: 203.0.113.1");

        RawHttp spoofing = connect();

        assertThat(spoofing.closedByServer()).isTrue();
    }

    @Test
    void behindATrustedProxyConnectionsAreCountedByTheRightMostUntrustedForwardedAddress() {
        start("  maxConnectionsPerAddress: 1\n  trustedProxies: [127.0.0.1, 10.0.0.0/8]\n");
        RawHttp first = answered("X-Forwarded-For: 203.0.113.9");

        // the left part is the client's to write: only the right-most untrusted hop counts
        RawWebSocket.Response spoofed = connect().get("/healthz", "X-Forwarded-For: 198.51.100.7, 203.0.113.9");
        RawWebSocket.Response viaInnerProxy = connect().get("/healthz", "X-Forwarded-For: 203.0.113.9, 10.1.2.3");

        assertThat(spoofed.status()).isEqualTo(429);
        assertThat(TestServer.json(spoofed.body()).get("error").asText()).isEqualTo("too_many_requests");
        assertThat(viaInnerProxy.status()).isEqualTo(429);
        assertThat(answered("X-Forwarded-For: 203.0.113.10")).isNotNull();
        assertThat(answered()).as("the proxy's own requests count under its address").isNotNull();
        assertThat(server.counter("herald.refusals", "reason", "per_address")).isEqualTo(2);

        first.close();
        await().atMost(WAIT).untilAsserted(() -> {
            try (RawHttp again = RawHttp.connect(server.port())) {
                assertThat(again.get("/healthz", "X-Forwarded-For: 203.0.113.9").status()).isEqualTo(200);
            }
        });
    }

    @Test
    void refusalsAtTheCapsShowInMetrics() throws IOException {
        start("  maxHttpConnections: 1\n");
        RawHttp only = answered();
        assertThat(connect().closedByServer()).isTrue();

        RawWebSocket.Response metrics = only.get("/metrics");

        assertThat(metrics.body()).contains("herald_refusals_total{reason=\"max_http_connections\"")
                .contains("herald_http_connections 1.0");
    }
}
