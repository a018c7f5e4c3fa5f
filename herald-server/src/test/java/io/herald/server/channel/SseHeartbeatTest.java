package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ChannelsConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code : keepalive} after every {@code heartbeatMs} of silence (up to 0.4 interval late: the loop's sweep
 * checks each stream every 0.4 interval), the first a full interval after connect.
 */
class SseHeartbeatTest {
    private static final long HEARTBEAT_MS = 300;
    private static final String KEEPALIVE = ": keepalive\n\n";

    @TempDir
    static Path dir;
    private static ChannelServer server;

    @BeforeAll
    static void start() {
        ChannelsConfig channels = ChannelServer.rules().withLimits(10, HEARTBEAT_MS, 5, 60_000, 100);
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

    private static long millisBetween(SseStream.Frame a, SseStream.Frame b) {
        return TimeUnit.NANOSECONDS.toMillis(b.arrivedNanos() - a.arrivedNanos());
    }

    @Test
    void theFirstKeepaliveComesOneIntervalAfterConnectAndThenEveryInterval() {
        // taken before the request: the server's stream starts later, so its k-th keepalive (sent no sooner than
        // k intervals after that) arrives at least k intervals after this, however late each frame is read
        long opened = System.nanoTime();
        SseStream s = server.stream("/sse/pub:beat");

        s.awaitFrames(4);
        List<SseStream.Frame> f = s.frames();

        assertThat(s.frameTexts().subList(0, 4)).containsExactly(": connected\n\n", KEEPALIVE, KEEPALIVE, KEEPALIVE);
        for (int k = 1; k <= 3; k++) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(f.get(k).arrivedNanos() - opened)).as("keepalive %d after the request", k)
                    .isGreaterThanOrEqualTo(k * HEARTBEAT_MS - 20);
        }
        // and they keep coming: a busy machine may delay one, never make them stop
        assertThat(millisBetween(f.get(1), f.get(3))).as("two intervals of keepalives").isLessThan(HEARTBEAT_MS * 20);
    }

    @Test
    void noKeepaliveIsSentWhileEventsKeepTheStreamBusy() throws Exception {
        SseStream s = server.stream("/sse/pub:busy");
        AtomicInteger published = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong lastPublished = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong longestPause = new java.util.concurrent.atomic.AtomicLong();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try {
            ticker.scheduleAtFixedRate(() -> {
                int i = published.incrementAndGet();
                if (i <= 20) {
                    long now = System.nanoTime();
                    long previous = lastPublished.getAndSet(now);
                    if (i > 1) {
                        longestPause.accumulateAndGet(now - previous, Math::max);
                    }
                    server.herald().channels().publish("pub:busy", "tick", ChannelServer.JSON.valueToTree(i));
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            s.awaitText(t -> t.contains("id: 20\n"));
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }

        // a busy machine may stall the publisher itself: only a publisher that never paused for an interval proves anything
        if (TimeUnit.NANOSECONDS.toMillis(longestPause.get()) < HEARTBEAT_MS - 20) {
            assertThat(s.text()).as("a second of events every 50 ms leaves no %d ms silence", HEARTBEAT_MS).doesNotContain(KEEPALIVE);
        }
        s.awaitEndsWith(KEEPALIVE);
        List<SseStream.Frame> f = s.frames();
        // measured from the last publish, which the server's write of it followed: a late read of the event cannot shrink it
        assertThat(TimeUnit.NANOSECONDS.toMillis(f.get(f.size() - 1).arrivedNanos() - lastPublished.get()))
                .as("the keepalive follows the last event after an interval").isGreaterThanOrEqualTo(HEARTBEAT_MS - 20);
    }

    @Test
    void manyStreamsOnEveryLoopGetKeepalivesAndLeaveTheSweepWhenTheyClose() {
        // what earlier tests closed is gone from the sweeps once the server saw those connections end
        SseStream.waiting().until(() -> server.sweptStreams() == 0);
        int count = 100;
        List<SseStream> streams = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            // ten channels of ten: the per-channel cap of this server is 10
            streams.add(server.stream("/sse/pub:many-" + i % 10));
        }
        // a stream joins its loop's sweep before its ": connected" is written
        assertThat(server.sweptStreams()).isEqualTo(count);

        for (SseStream s : streams) {
            s.awaitText(t -> t.split(KEEPALIVE, -1).length - 1 >= 2);
        }
        assertThat(streams).allSatisfy(s -> assertThat(s.frameTexts().get(1)).isEqualTo(KEEPALIVE));

        server.closeStreams();
        SseStream.waiting().until(() -> server.sweptStreams() == 0);
        SseStream.waiting().until(() -> server.subscribers() == 0);
    }

    @Test
    void closingTheServerEndsItsStreamsAndEmptiesItsSweeps() {
        ChannelsConfig channels = ChannelServer.rules().withLimits(10, HEARTBEAT_MS, 5, 60_000, 100);
        ChannelServer own = ChannelServer.start(ChannelServer.config(dir.resolve("own.db"), channels));
        try {
            List<SseStream> streams = List.of(own.stream("/sse/pub:bye"), own.stream("/sse/pub:bye"), own.stream("/sse/pub:later"));
            assertThat(own.sweptStreams()).isEqualTo(3);
            own.closeServer();
            SseStream.waiting().until(() -> streams.stream().allMatch(SseStream::ended));
        } finally {
            own.close();
        }
    }
}
