package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLogEncoderTest {
    private final LoggerContext context = new LoggerContext();

    JsonLogEncoderTest() {
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    }

    private JsonNode encode(LoggingEvent event, ZoneId zone) {
        String line = new String(new JsonLogEncoder(zone).encode(event), StandardCharsets.UTF_8);
        assertThat(line).endsWith("\n").doesNotContain("\n\n");
        assertThat(line.indexOf('\n')).as("one line").isEqualTo(line.length() - 1);
        return io.herald.server.TestServer.json(line);
    }

    private LoggingEvent event(String message, Throwable thrown, Object... args) {
        LoggingEvent e = new LoggingEvent("test", context.getLogger("io.herald.server.Main"), Level.INFO, message, thrown, args);
        e.setThreadName("vert.x-eventloop-thread-1");
        e.setInstant(Instant.parse("2025-05-01T12:03:07.123Z"));
        return e;
    }

    @Test
    void anEventIsOneObjectWithAnIsoTimestampInTheZoneLevelLoggerThreadAndFormattedMessage() {
        JsonNode n = encode(event("listening on {}:{}", null, "0.0.0.0", 8080), ZoneId.of("Europe/Paris"));

        assertThat(n.get("timestamp").asText()).isEqualTo("2025-05-01T14:03:07.123+02:00");
        assertThat(n.get("level").asText()).isEqualTo("INFO");
        assertThat(n.get("logger").asText()).isEqualTo("io.herald.server.Main");
        assertThat(n.get("thread").asText()).isEqualTo("vert.x-eventloop-thread-1");
        assertThat(n.get("message").asText()).isEqualTo("listening on 0.0.0.0:8080");
        assertThat(n.has("exception")).isFalse();
        assertThat(encode(event("x", null), ZoneId.of("UTC")).get("timestamp").asText()).isEqualTo("2025-05-01T12:03:07.123Z");
    }

    @Test
    void mdcEntriesAndKeyValuePairsBecomeFieldsButNeverReplaceTheFixedOnes() {
        LoggingEvent e = event("closing", null);
        e.setMDCPropertyMap(Map.of("requestId", "r-1", "level", "forged"));
        e.addKeyValuePair(new org.slf4j.event.KeyValuePair("socketId", "s-42"));

        JsonNode n = encode(e, ZoneId.of("UTC"));

        assertThat(n.get("requestId").asText()).isEqualTo("r-1");
        assertThat(n.get("socketId").asText()).isEqualTo("s-42");
        assertThat(n.get("level").asText()).isEqualTo("INFO");
    }

    @Test
    void anExceptionIsItsStackTraceAsOneStringAndControlCharactersAreEscaped() {
        JsonNode n = encode(event("hook failed: \"quoted\"\nsecond line\u0001", new IllegalStateException("boom")), ZoneId.of("UTC"));

        assertThat(n.get("message").asText()).isEqualTo("hook failed: \"quoted\"\nsecond line\u0001");
        assertThat(n.get("exception").asText()).startsWith("java.lang.IllegalStateException: boom")
                .contains("at io.herald.server.JsonLogEncoderTest");
    }
}
