package io.herald.server;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A session cookie authorizes a socket only from an origin listed exactly in {@code server.allowedOrigins}:
 * a {@code *} there turns on CORS for Bearer requests, never cookies (cross-site WebSocket hijacking).
 */
class CookieOriginTest {
    private static final String ROOMS = """
            rooms:
              bindings:
                - { name: COUNTER, className: io.herald.room.builtin.RelayRoom }
            """;

    @Test
    void aWildcardAloneLetsNoCookieOpenARoomOrLaneSocket() {
        try (TestServer server = TestServer.start("server:\n  allowedOrigins: [\"*\"]\n" + ROOMS)) {
            for (String path : new String[] {"/parties/counter/c1", "/lanes/v1/websocket"}) {
                RawWebSocket.Response r = cookieUpgrade(server, path, "https://evil.example");
                assertThat(r.status()).as(path).isEqualTo(403);
                assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("origin_forbidden");
            }
            // Bearer-style credentials are what a wildcard is for
            assertThat(RawWebSocket.upgrade(server.port(), "/lanes/v1/websocket?token=" + jwt("u_1", "org_1"),
                    "Origin", "https://evil.example").status()).isEqualTo(101);
        }
    }

    @Test
    void besideAWildcardOnlyTheListedOriginsCarryACookie() {
        try (TestServer server = TestServer.start("server:\n  allowedOrigins: [\"*\", \"https://app.example.com\"]\n" + ROOMS)) {
            for (String path : new String[] {"/parties/counter/c2", "/lanes/v1/websocket"}) {
                assertThat(cookieUpgrade(server, path, "https://app.example.com").status()).as(path).isEqualTo(101);
                assertThat(cookieUpgrade(server, path, "https://evil.example").status()).as(path).isEqualTo(403);
            }
        }
    }

    private static RawWebSocket.Response cookieUpgrade(TestServer server, String path, String origin) {
        return RawWebSocket.upgrade(server.port(), path, "Cookie", "herald_session=" + jwt("u_1", "org_1", "member"),
                "Origin", origin);
    }
}
