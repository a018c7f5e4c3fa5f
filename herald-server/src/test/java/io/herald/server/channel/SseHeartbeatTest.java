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

/** {@code : keepalive} every {@code heartbeatMs} of silence, the first a full interval after connect. */
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
        SseStream s = server.stream("/sse/pub:beat");

        s.awaitFrames(3);
        List<SseStream.Frame> f = s.frames();

        assertThat(s.frameTexts().subList(0, 3)).containsExactly(": connected\n\n", KEEPALIVE, KEEPALIVE);
        assertThat(millisBetween(f.get(0), f.get(1))).as("connect to first keepalive").isBetween(HEARTBEAT_MS - 50, HEARTBEAT_MS * 4);
        assertThat(millisBetween(f.get(1), f.get(2))).as("between keepalives").isBetween(HEARTBEAT_MS - 50, HEARTBEAT_MS * 4);
    }

    @Test
    void noKeepaliveIsSentWhileEventsKeepTheStreamBusy() throws Exception {
        SseStream s = server.stream("/sse/pub:busy");
        AtomicInteger published = new AtomicInteger();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try {
            ticker.scheduleAtFixedRate(() -> {
                int i = published.incrementAndGet();
                if (i <= 20) {
                    server.herald().channels().publish("pub:busy", "tick", ChannelServer.JSON.valueToTree(i));
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            s.awaitText(t -> t.contains("id: 20\n"));
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }

        assertThat(s.text()).as("a second of events every 50 ms leaves no %d ms silence", HEARTBEAT_MS).doesNotContain(KEEPALIVE);
        s.awaitEndsWith(KEEPALIVE);
        List<SseStream.Frame> f = s.frames();
        assertThat(millisBetween(f.get(f.size() - 2), f.get(f.size() - 1))).as("the keepalive follows the last event after an interval")
                .isGreaterThanOrEqualTo(HEARTBEAT_MS - 50);
    }
}
