package io.herald.server.transport;

import io.herald.server.WsClient;

import io.herald.server.RawHttp;
import io.herald.server.TestServer;
import io.herald.server.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The request-head and idle timeouts of plain HTTP connections, on real loopback sockets. */
class ConnectionGuardTest {
    private static final String YAML = TestServer.STANDARD.replace("server:\n", """
            server:
              requestHeadTimeoutMs: 400
              idleTimeoutMs: 400
            """) + """
            channels:
              public: ["pub:*"]
            """;

    private static TestServer server;
    private final ScheduledExecutorService dribbler = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() {
        server = TestServer.start(YAML);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void closeClients() {
        dribbler.shutdownNow();
        server.closeClients();
    }

    @Test
    void aConnectionThatSendsNothingIsAnswered408AndClosed() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            RawWebSocket.Response r = c.read();

            assertThat(r.status()).isEqualTo(408);
            assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("request_timeout");
            assertThat(r.headers()).containsEntry("connection", "close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aHeadThatStopsHalfwayIsAnswered408WithTheJsonErrorAndClosed() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            RawWebSocket.Response r = c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n").read();

            assertThat(r.status()).isEqualTo(408);
            assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("request_timeout");
            assertThat(TestServer.json(r.body()).get("message").asText()).isNotBlank();
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aSlowlorisSendingAHeaderByteEvery50msIsCutAtTheDeadlineOfItsFirstByte() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
            // a deadline reset by each byte would never pass: the read below would time out after 10 s
            // (a send failing once the server has closed ends the schedule)
            dribbler.scheduleAtFixedRate(() -> c.send("a"), 0, 50, TimeUnit.MILLISECONDS);

            RawWebSocket.Response r = c.read();

            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void theHeadOfAKeepAliveConnectionsNextRequestHasItsOwnDeadline() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/healthz").status()).isEqualTo(200);

            RawWebSocket.Response r = c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n").read();

            assertThat(r.status()).isEqualTo(408);
        }
    }

    @Test
    void aKeepAliveConnectionServesEveryRequestThatComesBeforeItsTimeouts() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.get("/healthz").status()).isEqualTo(200);
            }
        }
    }

    @Test
    void aKeepAliveConnectionWithNoRequestForTheIdleTimeoutIsClosedAndCounted() {
        double before = server.counter("herald.refusals", "reason", "idle_timeout");
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.get("/healthz").status()).isEqualTo(200);

            assertThat(c.closedByServer()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.counter("herald.refusals", "reason", "idle_timeout") > before);
    }

    @Test
    void anSseStreamOutlivesTheIdleTimeout() throws IOException {
        try (RawHttp sse = RawHttp.connect(server.port())) {
            sse.send("GET /sse/pub:idle HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
            assertThat(sse.line()).startsWith("HTTP/1.1 200");
            outliveAnIdleConnection();

            server.herald().channels().publish("pub:idle", "still", TextNode.valueOf("here")).join();

            String line = sse.line();
            while (!line.startsWith("data:")) {
                line = sse.line();
            }
            assertThat(line).contains("here");
        }
    }

    @Test
    void aWebSocketOutlivesTheIdleTimeout() {
        WsClient socket = server.member("u-idle", "org_1", "recruiter");
        outliveAnIdleConnection();

        assertThat(server.publishBroadcast("{\"event\":\"alive\",\"payload\":1,\"organizationId\":\"org_1\"}")).isEqualTo(1);

        assertThat(socket.next()).contains("alive");
    }

    @Test
    void timeoutsAreCountedInMetricsByReason() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            assertThat(c.read().status()).isEqualTo(408);
        }
        outliveAnIdleConnection();

        String metrics = server.get("/metrics").body();

        assertThat(metrics).contains("herald_refusals_total{reason=\"request_head_timeout\"")
                .contains("herald_refusals_total{reason=\"idle_timeout\"");
    }

    /** Opens a keep-alive connection after whatever the test opened, and waits until the server closes it as idle. */
    private static void outliveAnIdleConnection() {
        try (RawHttp idle = RawHttp.connect(server.port())) {
            assertThat(idle.get("/healthz").status()).isEqualTo(200);
            assertThat(idle.closedByServer()).isTrue();
        }
    }
}
