package io.herald.server.broadcast;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.RawWebSocket;
import io.herald.server.TestServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket protocol of broadcast sockets, which Herald serves below Vert.x: the handshake's own
 * refusals, control frames, the closing handshake, frame limits, a keep-alive connection upgraded after
 * a request, and the connection cap released when a socket goes.
 */
class DirectWebSocketTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("server:\n  maxConnections: 2\n  maxFrameBytes: 1024\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String socketPath(String user, String org) {
        return "/broadcast/v1/websocket?ws_ticket=" + server.ticket(jwt(user, org, "owner"));
    }

    private static String handshake(String path, String version, boolean withKey) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + (withKey ? "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" : "")
                + "Sec-WebSocket-Version: " + version;
    }

    @Test
    void theHandshakeAnswersTheKeyAsRfc6455Says() {
        RawWebSocket.Response r = RawWebSocket.request(server.port(), handshake(socketPath("u_key", "org_key"), "13", true));
        assertThat(r.status()).isEqualTo(101);
        // the example of RFC 6455 section 1.3
        assertThat(r.headers()).containsEntry("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assertThat(r.headers().get("upgrade")).isEqualToIgnoringCase("websocket");
    }

    @Test
    void compressionOfferedByTheClientIsDeclined() {
        // browsers and node's ws offer it; accepting would hold a zlib inflater per socket and make clients deflate
        for (String offer : new String[] {"permessage-deflate; client_max_window_bits", "x-webkit-deflate-frame"}) {
            RawWebSocket.Response r = RawWebSocket.upgrade(server.port(), socketPath("u_deflate", "org_deflate"),
                    "Sec-WebSocket-Extensions", offer);
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.headers()).as(offer).doesNotContainKey("sec-websocket-extensions");
        }
    }

    @Test
    void aVersionOtherThan13IsRefusedWith426NamingTheVersionSpoken() {
        RawWebSocket.Response r = RawWebSocket.request(server.port(), handshake(socketPath("u_v8", "org_v8"), "8", true));
        assertThat(r.status()).isEqualTo(426);
        assertThat(r.headers()).containsEntry("sec-websocket-version", "13");
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("upgrade_required");
    }

    @Test
    void aHandshakeWithoutAKeyIsRefusedWith400() {
        RawWebSocket.Response r = RawWebSocket.request(server.port(), handshake(socketPath("u_nokey", "org_nokey"), "13", false));
        assertThat(r.status()).isEqualTo(400);
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("error").asText()).isEqualTo("bad_request");
        assertThat(body.get("message").asText()).contains("Sec-WebSocket-Key");
    }

    @Test
    void aTicketIsCheckedBeforeTheHandshakeHeaders() {
        RawWebSocket.Response r = RawWebSocket.request(server.port(), handshake("/broadcast/v1/websocket?ws_ticket=nope", "8", false));
        assertThat(r.status()).isEqualTo(401);
        assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("invalid_ticket");
    }

    @Test
    void aKeepAliveConnectionThatServedARequestCanBeUpgradedAndReceivesEvents() throws Exception {
        try (RawWebSocket ws = RawWebSocket.openAfterRequest(server.port(), "/healthz", socketPath("u_ka", "org_ka"))) {
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.publishBroadcast("{\"event\":\"ka\",\"payload\":1,\"organizationId\":\"org_ka\"}") == 1);
            RawWebSocket.Frame f = ws.readDataFrame();
            assertThat(f.opcode()).isEqualTo(1);
            assertThat(new String(f.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"broadcast\",\"event\":\"ka\",\"payload\":1}");
        }
    }

    @Test
    void aPingIsAnsweredWithAPongCarryingItsPayloadAndTextPingWithPong() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), socketPath("u_ping", "org_ping"), 0)) {
            ws.sendFrame(0x9, "abc".getBytes(StandardCharsets.UTF_8), true);
            RawWebSocket.Frame pong = ws.readFrameAnsweringPings();
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(new String(pong.payload(), StandardCharsets.UTF_8)).isEqualTo("abc");
            ws.sendFrame(0x1, "ping".getBytes(StandardCharsets.UTF_8), true);
            RawWebSocket.Frame text = ws.readDataFrame();
            assertThat(text.opcode()).isEqualTo(1);
            assertThat(new String(text.payload(), StandardCharsets.UTF_8)).isEqualTo("pong");
        }
    }

    @Test
    void theClientsCloseIsEchoedWithItsCodeAndTheConnectionEnds() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), socketPath("u_bye", "org_bye"), 0)) {
            ws.sendFrame(0x8, ByteBuffer.allocate(2).putShort((short) 4000).array(), true);
            RawWebSocket.Frame close = ws.readDataFrame();
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(((close.payload()[0] & 0xff) << 8) | (close.payload()[1] & 0xff)).isEqualTo(4000);
            assertThat(ws.readsEndOfStream()).isTrue();
        }
    }

    @Test
    void aFrameOverTheLimitIsClosedWith1009() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), socketPath("u_big", "org_big"), 0)) {
            ws.sendFrame(0x2, new byte[1025], true);
            assertThat(ws.readUntilClose()).isEqualTo(1009);
        }
    }

    @Test
    void anUnmaskedClientFrameIsAProtocolErrorClosedWith1002() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), socketPath("u_mask", "org_mask"), 0)) {
            ws.sendFrame(0x1, "ping".getBytes(StandardCharsets.UTF_8), false);
            assertThat(ws.readUntilClose()).isEqualTo(1002);
        }
    }

    @Test
    void aSocketThatEndsGivesItsPlaceUnderTheConnectionCapBack() throws Exception {
        String path = socketPath("u_cap", "org_cap");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.gauge("herald.connections", "primitive", "broadcast") == 0);
        RawWebSocket first = RawWebSocket.open(server.port(), path, 0);
        try (RawWebSocket second = RawWebSocket.open(server.port(), path, 0)) {
            RawWebSocket.Response third = RawWebSocket.upgrade(server.port(), path);
            assertThat(third.status()).isEqualTo(429);
            assertThat(TestServer.json(third.body()).get("error").asText()).isEqualTo("too_many_requests");
            first.close();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> RawWebSocket.upgrade(server.port(), path).status() == 101);
        }
    }
}
