package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

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
}
