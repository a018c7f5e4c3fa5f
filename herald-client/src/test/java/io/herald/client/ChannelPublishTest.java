package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.TestServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Channel events published by the client: their ids, then what a poll and a live SSE stream show. */
class ChannelPublishTest {
    @TempDir
    static Path dir;
    private static TestServer server;
    private static HeraldClient client;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        server = ClientServers.start(ClientServers.CONFIG, dir);
        client = ClientServers.client(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void publishesAnswerTheEventsIdsAndAPollShowsThemAfterAnId() {
        ChannelResult first = client.publishToChannel("news:poll", "story", Map.of("title", "one"));
        ChannelResult second = client.publishToChannel("news:poll", "story", null);

        assertThat(first.delivered()).isZero();
        assertThat(first.id()).isEqualTo(1);
        assertThat(second.id()).isEqualTo(2);
        JsonNode all = TestServer.json(server.get("/channels/v1/poll/news:poll?lastEventId=0").body());
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("id").asLong()).isEqualTo(first.id());
        assertThat(all.get(0).get("event").asText()).isEqualTo("story");
        assertThat(all.get(0).get("data").get("title").asText()).isEqualTo("one");
        assertThat(all.get(1).get("data").isNull()).isTrue();
        JsonNode after = TestServer.json(server.get("/channels/v1/poll/news:poll?lastEventId=" + first.id()).body());
        assertThat(after).hasSize(1);
        assertThat(after.get(0).get("id").asLong()).isEqualTo(second.id());
    }

    @Test
    @Timeout(30)
    void anOpenStreamReceivesTheEventWithTheIdThePublishAnswered() throws Exception {
        HttpResponse<InputStream> stream = HTTP.send(HttpRequest.newBuilder(server.uri("/sse/news:live"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo(": connected"); // the stream is subscribed from here on

            ChannelResult r = client.publishToChannelAsync("news:live", "run.stage", Map.of("progress", 40)).get(10, TimeUnit.SECONDS);

            assertThat(r.delivered()).isEqualTo(1);
            List<String> frame = nextFrame(lines);
            assertThat(frame).containsExactly("event: run.stage", "id: " + r.id(), "data: {\"progress\":40}");
        }
    }

    /** The lines of the next non-comment SSE frame (up to its blank line). */
    private static List<String> nextFrame(BufferedReader lines) throws Exception {
        List<String> frame = new ArrayList<>();
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.isEmpty()) {
                if (!frame.isEmpty()) {
                    return frame;
                }
            } else if (!line.startsWith(":")) {
                frame.add(line);
            }
        }
        throw new AssertionError("no frame; read " + frame);
    }
}
