package io.herald.server;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.HeraldConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Liveness of open sockets: the server pings idle ones and closes those that never answer. */
class SocketsTest {
    private TestServer server;

    @BeforeEach
    void start() {
        HeraldConfig config = TestServer.config(null);
        server = TestServer.start(config.withServer(config.server().withPingIntervalMs(200)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void socketThatNeverAnswersPingsIsClosedWhileOneThatAnswersStaysOpen() throws Exception {
        WsClient answering = server.member("u_alive", "org_ping", "owner");
        String ticket = server.ticket(jwt("u_dead", "org_ping", "owner"));

        try (RawWebSocket silent = RawWebSocket.open(server.port(), "/broadcast/v1/websocket?ws_ticket=" + ticket, 0)) {
            assertThat(silent.readUntilClose()).as("close code for a socket that stopped answering").isEqualTo(1001);
        }

        assertThat(answering.isClosed()).isFalse();
        assertThat(server.publishBroadcast("{\"event\":\"alive\",\"payload\":1,\"organizationId\":\"org_ping\"}")).isEqualTo(1);
        assertThat(answering.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"alive\",\"payload\":1}");
    }
}
