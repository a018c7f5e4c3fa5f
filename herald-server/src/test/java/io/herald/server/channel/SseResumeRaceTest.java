package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ChannelsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streams resuming over HTTP while thousands of events are published: every later id once, in order. */
class SseResumeRaceTest {
    private static final int BEFORE = 100;
    private static final int AFTER = 2_000;
    private static final long MAX_EVENTS = 90_000;

    @TempDir
    Path dir;

    @Test
    void streamsResumingDuringLivePublishesReceiveEveryLaterIdExactlyOnceInOrder() throws Exception {
        ChannelsConfig channels = ChannelServer.rules().withLimits(10, 30_000, 100_000, 60_000, 100);
        try (ChannelServer server = ChannelServer.start(ChannelServer.config(dir.resolve("herald.db"), channels))) {
            server.publishRange("pub:race", 1, BEFORE);
            CountDownLatch publishing = new CountDownLatch(1);
            CompletableFuture<Long> lastId = new CompletableFuture<>();
            // publishes without pause until both streams are subscribed, then AFTER more, so the subscribes land mid-flow
            Thread publisher = new Thread(() -> {
                long id = BEFORE;
                long stopAt = Long.MAX_VALUE;
                try {
                    while (id < stopAt && id < MAX_EVENTS) {
                        id = server.herald().channels().publish("pub:race", "tick", ChannelServer.JSON.valueToTree(id + 1)).join().id();
                        publishing.countDown();
                        if (stopAt == Long.MAX_VALUE && server.subscribers() == 2) {
                            stopAt = id + AFTER;
                        }
                    }
                    lastId.complete(id);
                } catch (RuntimeException e) {
                    lastId.completeExceptionally(e);
                }
            }, "racing-publisher");

            publisher.start();
            assertThat(publishing.await(10, TimeUnit.SECONDS)).isTrue();
            SseStream byHeader = server.open("/sse/pub:race", "Last-Event-ID", Integer.toString(BEFORE));
            SseStream byQuery = server.open("/sse/pub:race?lastEventId=40");
            long last = lastId.get(20, TimeUnit.SECONDS);

            assertThat(last).as("the publisher stopped because both streams joined").isLessThan(MAX_EVENTS);
            String end = "id: " + last + "\n";
            byHeader.awaitText(t -> t.contains(end));
            byQuery.awaitText(t -> t.contains(end));
            assertThat(byHeader.ids()).containsExactlyElementsOf(range(BEFORE + 1, last));
            assertThat(byQuery.ids()).containsExactlyElementsOf(range(41, last));
            assertThat(byHeader.frameTexts().get(0)).isEqualTo(": connected\n\n");
        }
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
