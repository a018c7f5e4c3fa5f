package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ChannelsConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /channels/v1/poll/<channel>}: the replay a stream would get, as a JSON array. */
class ChannelPollTest {
    @TempDir
    static Path dir;
    private static ChannelServer server;

    @BeforeAll
    static void start() {
        ChannelsConfig channels = ChannelServer.rules().withLimits(1, 30_000, 5, 60_000, 1000);
        server = ChannelServer.start(ChannelServer.config(dir.resolve("herald.db"), channels));
    }

    @AfterEach
    void closeStreams() {
        server.closeStreams();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String poll(String pathAndQuery, String... headers) {
        HttpResponse<String> r = server.get("/channels/v1/poll/" + pathAndQuery, headers);
        assertThat(r.statusCode()).as("poll %s: %s", pathAndQuery, r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return r.body();
    }

    @Test
    void pollReturnsTheBufferedEventsAfterTheIdAsAnArrayOfIdEventData() {
        server.publish("pub:shape", "run.stage", "{\"stage\":\"ai_verify\",\"progress\":40}");
        server.publish("pub:shape", "note", "\"line1\\nline2\"");
        server.publish("pub:shape", "run.done", "null");

        assertThat(poll("pub:shape?lastEventId=1")).isEqualTo(
                "[{\"id\":2,\"event\":\"note\",\"data\":\"line1\\nline2\"},{\"id\":3,\"event\":\"run.done\",\"data\":null}]");
        assertThat(ChannelServer.json(poll("pub:shape")).get(0).toString())
                .isEqualTo("{\"id\":1,\"event\":\"run.stage\",\"data\":{\"stage\":\"ai_verify\",\"progress\":40}}");
        assertThat(poll("pub:shape?lastEventId=3")).isEqualTo("[]");
    }

    @Test
    void pollOfAChannelNobodyUsedIsAnEmptyArray() {
        assertThat(poll("pub:never")).isEqualTo("[]");
        assertThat(poll("pub:never?lastEventId=0")).isEqualTo("[]");
    }

    @Test
    void pollAheadOfTheChannelGetsTheBufferGapResetEntry() {
        server.publishRange("pub:gap", 1, 3);

        assertThat(poll("pub:gap?lastEventId=99")).isEqualTo(
                "[{\"id\":3,\"event\":\"realtime.reset\",\"data\":{\"reason\":\"buffer_gap\",\"lastKnownId\":99}}]");
    }

    @Test
    void pollBehindTheRingLeadsWithTheOverflowResetEntry() {
        server.publishRange("pub:overflow", 1, 8);

        assertThat(poll("pub:overflow?lastEventId=1")).isEqualTo("["
                + "{\"id\":3,\"event\":\"realtime.reset\",\"data\":{\"reason\":\"buffer_overflow\",\"lastKnownId\":1,\"oldestId\":4}},"
                + "{\"id\":4,\"event\":\"e4\",\"data\":4},{\"id\":5,\"event\":\"e5\",\"data\":5},{\"id\":6,\"event\":\"e6\",\"data\":6},"
                + "{\"id\":7,\"event\":\"e7\",\"data\":7},{\"id\":8,\"event\":\"e8\",\"data\":8}]");
    }

    @Test
    void pollHonoursTheLastEventIdHeaderWhichWinsOverTheQuery() {
        server.publishRange("pub:header", 1, 4);

        assertThat(poll("pub:header", "Last-Event-ID", "3")).isEqualTo("[{\"id\":4,\"event\":\"e4\",\"data\":4}]");
        assertThat(poll("pub:header?lastEventId=1", "Last-Event-ID", "3")).isEqualTo("[{\"id\":4,\"event\":\"e4\",\"data\":4}]");
        assertThat(ChannelServer.json(poll("pub:header?lastEventId=3", "Last-Event-ID", "x"))).as("invalid header counts as 0")
                .hasSize(4);
    }

    @Test
    void pollIsNotCountedTowardTheSubscriberCap() {
        server.publishRange("pub:capped", 1, 1);
        SseStream only = server.stream("/sse/pub:capped");

        assertThat(server.get("/sse/pub:capped").statusCode()).as("the cap of 1 is reached").isEqualTo(429);
        for (int i = 0; i < 5; i++) {
            assertThat(poll("pub:capped?lastEventId=0")).isEqualTo("[{\"id\":1,\"event\":\"e1\",\"data\":1}]");
        }
        assertThat(only.awaitFrames(2)).containsExactly(": connected\n\n", ChannelServer.frame(1));
    }

    @Test
    void pollOfAPrivateChannelTakesTheSameCredentialsAsTheStream() {
        server.publishRange("team:acme:poll", 1, 1);

        assertThat(poll("team:acme:poll?token=" + ChannelServer.jwt("u_1", "acme"))).isEqualTo("[{\"id\":1,\"event\":\"e1\",\"data\":1}]");
        assertThat(poll("team:acme:poll", "Authorization", "Bearer " + ChannelServer.jwt("u_1", "acme"))).startsWith("[{\"id\":1");
        assertThat(server.get("/channels/v1/poll/team:acme:poll").statusCode()).isEqualTo(401);
    }

    @Test
    void pollAnswersAreNotCached() {
        HttpResponse<String> r = server.get("/channels/v1/poll/pub:cache");

        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    }
}
