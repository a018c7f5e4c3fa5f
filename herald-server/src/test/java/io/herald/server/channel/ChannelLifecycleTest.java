package io.herald.server.channel;

import static io.herald.server.channel.ChannelServer.frame;
import static io.herald.server.channel.ChannelServer.frames;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ChannelsConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Channels over a server's life: idle eviction, the channel cap, durable ids across a restart. */
class ChannelLifecycleTest {
    private static final String CONNECTED = ": connected\n\n";

    @TempDir
    Path dir;

    private ChannelServer start(String file, ChannelsConfig channels) {
        return ChannelServer.start(ChannelServer.config(dir.resolve(file), channels));
    }

    @Test
    void anIdleChannelIsEvictedThroughTheServerAndItsIdsRestart() {
        try (ChannelServer server = start("evict.db", ChannelServer.rules().withLimits(10, 30_000, 5, 200, 100))) {
            server.publish("pub:evict", "e", "1");
            server.publish("pub:evict", "e", "2");

            SseStream.waiting().until(() -> server.herald().channels().channelCount() == 0);

            assertThat(server.get("/channels/v1/poll/pub:evict").body()).isEqualTo("[]");
            SseStream back = server.stream("/sse/pub:evict", "Last-Event-ID", "2");
            assertThat(back.awaitFrames(2).get(1)).as("the returning client learns the ids restarted")
                    .isEqualTo("event: realtime.reset\nid: 0\ndata: {\"reason\":\"buffer_gap\",\"lastKnownId\":2}\n\n");
            assertThat(server.publish("pub:evict", "e1", "1").toString()).isEqualTo("{\"delivered\":1,\"id\":1}");
            assertThat(back.awaitEndsWith(frame(1))).endsWith(frame(1));
        }
    }

    @Test
    void aChannelWithAnOpenStreamIsNotEvictedUntilTheStreamCloses() {
        try (ChannelServer server = start("evict.db", ChannelServer.rules().withLimits(10, 30_000, 5, 200, 100))) {
            SseStream s = server.stream("/sse/pub:held");
            server.publish("pub:held", "e1", "1");

            SseStream.waiting().during(Duration.ofMillis(700)).until(() -> server.herald().channels().channelCount() == 1);
            s.close();

            SseStream.waiting().until(() -> server.herald().channels().channelCount() == 0);
        }
    }

    @Test
    void publishingOrSubscribingToANewChannelPastMaxChannelsIs429() {
        try (ChannelServer server = start("cap.db", ChannelServer.rules().withLimits(10, 30_000, 5, 60_000, 2))) {
            server.publish("pub:one", "e", "1");
            server.stream("/sse/pub:two");

            HttpResponse<String> publish = server.publishRaw("{\"channel\":\"pub:three\",\"event\":\"e\",\"data\":1}");
            HttpResponse<String> subscribe = server.get("/sse/pub:three");

            assertThat(publish.statusCode()).isEqualTo(429);
            assertThat(ChannelServer.json(publish.body()).get("error").asText()).isEqualTo("too_many_requests");
            assertThat(subscribe.statusCode()).isEqualTo(429);
            assertThat(server.publish("pub:one", "e", "2").get("id").asLong()).as("existing channels go on").isEqualTo(2);
            assertThat(server.get("/channels/v1/poll/pub:three").statusCode()).as("a poll creates nothing").isEqualTo(200);
            assertThat(server.herald().channels().channelCount()).isEqualTo(2);
        }
    }

    @Test
    void durableIdsSurviveAServerRestartSoAResumeReplaysInsteadOfResetting() {
        ChannelsConfig durable = ChannelServer.rules().withLimits(10, 30_000, 5, 60_000, 100).withDurable(true);
        SseStream before;
        try (ChannelServer first = start("durable.db", durable)) {
            before = first.stream("/sse/pub:durable");
            first.publish("pub:durable", "e1", "1");
            first.publish("pub:durable", "e2", "2");
            first.publish("pub:durable", "e3", "3");
            before.awaitEndsWith(frame(3));
        }
        SseStream.waiting().until(before::ended);
        assertThat(before.text()).isEqualTo(CONNECTED + frames(1, 3));

        try (ChannelServer second = start("durable.db", durable)) {
            SseStream after = second.stream("/sse/pub:durable", "Last-Event-ID", "2");
            assertThat(second.publish("pub:durable", "e4", "4").toString()).isEqualTo("{\"delivered\":1,\"id\":4}");

            assertThat(after.awaitEndsWith(frame(4))).isEqualTo(CONNECTED + frames(3, 4));
            assertThat(second.get("/channels/v1/poll/pub:durable?lastEventId=3").body())
                    .isEqualTo("[{\"id\":4,\"event\":\"e4\",\"data\":4}]");
        }

        try (ChannelServer inMemory = start("durable.db", durable.withDurable(false))) {
            SseStream reset = inMemory.stream("/sse/pub:durable", "Last-Event-ID", "4");
            assertThat(reset.awaitFrames(2).get(1)).as("without durable mode the same restart resets")
                    .isEqualTo("event: realtime.reset\nid: 0\ndata: {\"reason\":\"buffer_gap\",\"lastKnownId\":4}\n\n");
        }
    }
}
