package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.flushDelayMicros}: frames wait that long for others to share their write, and still all
 * arrive in order. Only a lower bound is checked: a loaded machine can delay a flush, never advance it.
 */
class FlushDelayTest {
    private static final long DELAY_MICROS = 100_000;
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start("server:\n  flushDelayMicros: " + DELAY_MICROS + "\n");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void framesWaitForTheDelayThenArriveInOrder() {
        assertThat(server.herald().config().server().flushDelayMicros()).isEqualTo(DELAY_MICROS);
        WsClient member = server.member("u_delay", "org_delay", "owner");
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertThat(server.publishBroadcast("{\"event\":\"e\",\"payload\":" + i + ",\"organizationId\":\"org_delay\"}")).isEqualTo(1);
        }
        assertThat(member.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":0}");
        long waited = System.nanoTime() - start;
        assertThat(member.next(2)).containsExactly("{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":1}",
                "{\"type\":\"broadcast\",\"event\":\"e\",\"payload\":2}");
        // a scheduled task may run up to a millisecond early (the poll timeout is in milliseconds)
        assertThat(waited).isGreaterThanOrEqualTo(TimeUnit.MICROSECONDS.toNanos(DELAY_MICROS) - TimeUnit.MILLISECONDS.toNanos(2));
    }
}
