package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket upgrade sent pipelined behind a plain request on one connection waits for that request's answer and
 * then upgrades, in order, for a room (whose admission is asynchronous) as for a broadcast socket. A client that
 * sends another request behind an upgrade still being admitted loses the connection.
 */
class PipelinedUpgradeTest {
    private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n";
    /** A masked ping frame without payload (mask 1 2 3 4). */
    private static final String PING = new String(new byte[] {(byte) 0x89, (byte) 0x80, 1, 2, 3, 4}, java.nio.charset.StandardCharsets.ISO_8859_1);
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("""
                rooms:
                  bindings:
                    - { name: LOBBY, className: io.herald.room.builtin.RelayRoom, access: public }
                """);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRoomUpgradePipelinedBehindARequestIsAnsweredAfterItAndThenUpgraded() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    + "GET /parties/lobby/r1 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + UPGRADE + "\r\n");
            assertThat(c.read().status()).as("the request before the upgrade, answered first").isEqualTo(200);
            assertThat(c.read().status()).as("then the upgrade").isEqualTo(101);
            c.send(PING);
            byte[] pong = c.readBytes(2);
            assertThat(pong[0] & 0xff).as("a pong: the socket is a WebSocket now").isEqualTo(0x8A);
            assertThat(pong[1]).isZero();
        }
    }

    @Test
    void aRefusedUpgradePipelinedBehindARequestIsRefusedAfterIt() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    + "GET /broadcast/v1/websocket?ws_ticket=nope HTTP/1.1\r\nHost: 127.0.0.1\r\n" + UPGRADE + "\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            var refused = c.read();
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.body()).contains("\"error\":\"invalid_ticket\"");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aPlainGetOnASocketEndpointIsRefusedWith400() {
        try (RawHttp c = RawHttp.connect(server.port())) {
            var r = c.get("/broadcast/v1/websocket");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("\"error\":\"bad_request\"").contains("only accept WebSocket upgrades");
        }
    }
}
