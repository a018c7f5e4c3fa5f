package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.client.example.BackendExample;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/java-client.md quotes {@link BackendExample} between its markers, byte for byte, and the
 * example does what the page says against a real server.
 */
class JavaClientDocTest {
    private static final String START = "// [java-client-example:start]\n";
    private static final String END = "// [java-client-example:end]\n";
    private static final Path EXAMPLE = Path.of("src/test/java/io/herald/client/example/BackendExample.java");
    private static final Path DOC = Path.of("../docs/java-client.md");

    /** The example's text between its markers. */
    static String snippet() throws Exception {
        String source = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
        int start = source.indexOf(START);
        int end = source.indexOf(END);
        assertThat(start).as("start marker in %s", EXAMPLE).isNotNegative();
        assertThat(end).as("end marker in %s", EXAMPLE).isGreaterThan(start);
        return source.substring(start + START.length(), end);
    }

    @Test
    void theDocQuotesTheExampleExactly() throws Exception {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);

        assertThat(doc).as("%s quotes %s between its markers: copy it again", DOC, EXAMPLE)
                .contains("```java\n" + snippet() + "```\n");
    }

    @Test
    void theExampleRunsAgainstARealServer(@TempDir Path dir) throws Exception {
        try (TestServer server = ClientServers.start(ClientServers.CONFIG, dir)) {
            WsClient owner = server.member("u_owner", "org_1", "owner");
            WsClient nudged = server.member("u_4", "org_1", "viewer");
            WsClient lane = LanePublishTest.laneSocket(server, "/lanes/v1", "user_123");

            CompletableFuture<Void> example = CompletableFuture.runAsync(
                    () -> BackendExample.publish(ClientServers.baseUrl(server), TestServer.ACCESS_TOKEN));
            JsonNode envelope = lane.nextJson();
            lane.send("{\"type\":\"ack\",\"envelopeId\":\"" + envelope.get("envelopeId").asText() + "\",\"result\":{\"seen\":true}}");
            example.get(20, TimeUnit.SECONDS);

            JsonNode change = owner.nextJson();
            assertThat(change.get("type").asText()).isEqualTo("postgres_changes");
            assertThat(change.get("new").get("ssn").asText()).isEqualTo("123-45-6789");
            assertThat(owner.nextJson().get("event").asText()).isEqualTo("screening:complete");
            assertThat(envelope.get("payload").get("text").asText()).isEqualTo("hi");
            assertThat(nudged.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"nudge\",\"payload\":null}");
            JsonNode polled = TestServer.json(server.get("/channels/v1/poll/run:42?lastEventId=0").body());
            assertThat(polled).hasSize(1);
            assertThat(polled.get(0).get("event").asText()).isEqualTo("run.stage");
        }
    }
}
