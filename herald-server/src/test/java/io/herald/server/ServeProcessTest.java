package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code herald serve} as an operator runs it, in a JVM of its own: what SIGTERM does to readiness, open sockets
 * and the exit status, and what its log looks like.
 */
class ServeProcessTest {

    /**
     * Orders, not durations: the drain delay only has to outlast the few requests made between seeing the 503 and
     * the second socket's delivery, which it does by seconds even on a loaded machine.
     */
    @Test
    void onSigtermReadyzAnswers503WhileSocketsOldAndNewStillReceiveThenTheyCloseWith1012AndTheJvmExitsAsSignalled() throws Exception {
        try (ServeProcess herald = ServeProcess.start("server: { drainDelayMs: 8000 }\n", Map.of())) {
            WsClient before = herald.member("u_before", "org_drain", "owner");

            herald.sigterm();
            AtomicReference<HttpResponse<String>> readyz = new AtomicReference<>();
            Awaitility.await().atMost(ServeProcess.START_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
                readyz.set(herald.get("/readyz"));
                return readyz.get().statusCode() != 200;
            });
            assertThat(readyz.get().statusCode()).isEqualTo(503);
            assertThat(TestServer.json(readyz.get().body()).get("error").asText()).isEqualTo("shutting_down");
            // still served after the 503: a new socket is accepted and a publish reaches both
            WsClient after = herald.member("u_after", "org_drain", "owner");
            assertThat(herald.publishBroadcast("{\"event\":\"draining\",\"payload\":1,\"organizationId\":\"org_drain\"}")).isEqualTo(2);
            assertThat(before.nextJson().get("event").asText()).isEqualTo("draining");
            assertThat(after.nextJson().get("event").asText()).isEqualTo("draining");

            assertThat(before.awaitClose()).isEqualTo(1012);
            assertThat(after.awaitClose()).isEqualTo(1012);
            assertThat(herald.awaitExit()).as("128 + SIGTERM").isEqualTo(143);
            List<String> out = herald.stdout();
            assertThat(String.join("\n", out)).containsSubsequence(
                    "shutting down: /readyz answers 503 for 8000 ms (server.drainDelayMs), then the sockets close with 1012", "stopped");
            before.close();
            after.close();
        }
    }

    @Test
    void withTheJsonFormatEveryStdoutLineIsOneObjectWithAZonedTimestampAndTheStartLineSummarisesTheConfiguration() throws Exception {
        String yaml = """
                server: { drainDelayMs: 0 }
                rooms:
                  bindings:
                    - { name: CHAT, className: io.herald.room.builtin.PresenceRoom }
                channels:
                  public: ["news:*"]
                """;
        try (ServeProcess herald = ServeProcess.start(yaml, Map.of("HERALD_LOGGING_FORMAT", "json"))) {
            herald.sigterm();
            assertThat(herald.awaitExit()).isEqualTo(143);

            List<String> lines = herald.stdout();
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
                JsonNode n = TestServer.json(line);
                assertThat(n.isObject()).as(line).isTrue();
                assertThat(OffsetDateTime.parse(n.get("timestamp").asText())).as(line).isNotNull();
                assertThat(n.get("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
                assertThat(n.get("logger").asText()).isNotBlank();
                assertThat(n.get("thread").asText()).isNotBlank();
                assertThat(n.has("message")).isTrue();
            }
            List<JsonNode> info = lines.stream().map(TestServer::json).filter(n -> n.get("level").asText().equals("INFO")).toList();
            assertThat(info.get(0).get("message").asText())
                    .startsWith("Herald listening on 127.0.0.1:" + herald.port() + " (")
                    .contains("TLS off", "version " + System.getProperty("expected.herald.version"), "parties: chat (PresenceRoom)",
                            "1 public", "lanes: /lanes/v1", "storage: SQLite ./data/herald.db", "cluster: off", "cdc: off");
            assertThat(info).extracting(n -> n.get("message").asText()).as("nothing else at INFO on a quiet run")
                    .hasSize(3).endsWith("shutting down", "stopped");
        }
    }
}
