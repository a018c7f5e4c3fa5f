package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CORS on the Channels routes follows {@code server.allowedOrigins}, including the resume header. */
class ChannelCorsTest {
    private static final String APP = "https://app.example.com";

    @TempDir
    static Path dir;
    private static ChannelServer server;

    @BeforeAll
    static void start() {
        server = ChannelServer.start(ChannelServer.config(dir.resolve("herald.db"), ChannelServer.rules(),
                sc -> sc.withAllowedOrigins(List.of(APP))));
    }

    @AfterEach
    void closeStreams() {
        server.closeStreams();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aStreamFromAnAllowedOriginCarriesTheCorsHeaders() {
        SseStream s = server.stream("/sse/pub:cors", "Origin", APP);

        assertThat(s.response().headers().firstValue("access-control-allow-origin")).hasValue(APP);
        assertThat(s.response().headers().firstValue("access-control-allow-credentials")).hasValue("true");
    }

    @Test
    void aPreflightForAResumeWithTheLastEventIdHeaderIsAllowed() {
        HttpResponse<String> r = server.send("OPTIONS", "/sse/pub:cors", null, "Origin", APP,
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "last-event-id");

        assertThat(r.statusCode()).as("preflight answer %s", r.body()).isIn(200, 204);
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue(APP);
        assertThat(r.headers().firstValue("access-control-allow-headers").orElse("").toLowerCase(Locale.ROOT))
                .contains("last-event-id");
    }

    @Test
    void aPreflightForThePollWithTheLastEventIdHeaderIsAllowed() {
        HttpResponse<String> r = server.send("OPTIONS", "/channels/v1/poll/pub:cors", null, "Origin", APP,
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "last-event-id,authorization");

        assertThat(r.statusCode()).isIn(200, 204);
        assertThat(r.headers().firstValue("access-control-allow-headers").orElse("").toLowerCase(Locale.ROOT))
                .contains("last-event-id").contains("authorization");
    }

    @Test
    void aForeignOriginIsRefused() {
        HttpResponse<String> r = server.get("/sse/pub:cors", "Origin", "https://evil.example.net");

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(ChannelServer.json(r.body()).get("error").asText()).isEqualTo("origin_forbidden");
    }
}
