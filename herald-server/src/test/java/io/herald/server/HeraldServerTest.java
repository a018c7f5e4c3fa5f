package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Starting and stopping whole servers: ephemeral ports, several servers per JVM, drain on close. */
class HeraldServerTest {

    @Test
    void twoServersOnPortZeroInOneJvmGetTheirOwnPortsAndServeIndependently() {
        try (TestServer a = TestServer.start(TestServer.STANDARD); TestServer b = TestServer.start(TestServer.STANDARD)) {
            assertThat(a.port()).isPositive().isNotEqualTo(b.port());
            WsClient inA = a.member("u_1", "org_same", "owner");
            WsClient inB = b.member("u_1", "org_same", "owner");

            assertThat(a.publishBroadcast("{\"event\":\"only-a\",\"payload\":1,\"organizationId\":\"org_same\"}")).isEqualTo(1);

            assertThat(inA.nextJson().get("event").asText()).isEqualTo("only-a");
            inB.assertNothingMore();
        }
    }

    @Test
    void everyEventLoopOfTheServerAcceptsConnections() {
        try (TestServer server = TestServer.start(TestServer.STANDARD)) {
            for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors() + 2; i++) {
                server.member("u_" + i, "org_loops", "owner");
            }
            assertThat(server.publishBroadcast("{\"event\":\"all\",\"payload\":1,\"organizationId\":\"org_loops\"}"))
                    .isEqualTo(2 * Runtime.getRuntime().availableProcessors() + 2);
        }
    }

    @Test
    void closingTheServerClosesOpenSocketsWith1012() {
        TestServer server = TestServer.start(TestServer.STANDARD);
        WsClient socket;
        try {
            socket = server.member("u_drain", "org_drain", "owner");
        } finally {
            server.server().close();
        }
        assertThat(socket.awaitClose()).isEqualTo(1012);
        socket.close();
    }

    @Test
    void aGracefulCloseAnswersReadyz503WhileStillServingUntilACloseEndsItsDelay() throws Exception {
        TestServer server = TestServer.start(TestServer.STANDARD);
        WsClient socket = server.member("u_graceful", "org_graceful", "owner");
        // a delay no test waits out: the close below ends it
        CompletableFuture<Void> graceful = CompletableFuture.runAsync(() -> server.server().closeGracefully(Duration.ofMinutes(10)));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> server.get("/readyz").statusCode() == 503);
            HttpResponse<String> readyz = server.get("/readyz");
            assertThat(readyz.body()).isEqualTo("{\"error\":\"shutting_down\",\"message\":\"The server is shutting down.\"}");
            assertThat(server.get("/healthz").statusCode()).isEqualTo(200);
            assertThat(server.publishBroadcast("{\"event\":\"still\",\"payload\":1,\"organizationId\":\"org_graceful\"}")).isEqualTo(1);
            assertThat(socket.nextJson().get("event").asText()).isEqualTo("still");
            assertThat(graceful).as("still in its delay").isNotDone();
        } finally {
            server.server().close();
        }
        assertThat(socket.awaitClose()).isEqualTo(1012);
        graceful.get(30, TimeUnit.SECONDS);
        socket.close();
    }
}
