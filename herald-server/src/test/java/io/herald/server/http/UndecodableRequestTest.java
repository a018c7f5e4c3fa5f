package io.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests Netty cannot decode (a request line or headers over Vert.x's limits) still get the JSON error body. */
class UndecodableRequestTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.STANDARD);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String exchange(String head) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                response.write(buf, 0, n);
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    private static void assertJsonError(String response, int status, String code) {
        assertThat(response).startsWith("HTTP/1.").contains(" " + status + " ");
        assertThat(response.toLowerCase()).contains("content-type: application/json");
        JsonNode body = TestServer.json(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    @Test
    void aRequestLineOverTheLimitGets414WithAJsonBody() throws Exception {
        String response = exchange("GET /healthz?x=" + "a".repeat(6000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertJsonError(response, 414, "uri_too_long");
    }

    @Test
    void headersOverTheLimitGet431WithAJsonBody() throws Exception {
        String response = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_000) + "\r\n\r\n");
        assertJsonError(response, 431, "headers_too_large");
    }
}
