package io.herald.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));

    @Test
    void delaysDoubleWithJitterUpToTheMaximum() {
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.delayMillis(0)).isBetween(50L, 100L);
            assertThat(backoff.delayMillis(3)).isBetween(400L, 800L);
            assertThat(backoff.delayMillis(10)).isBetween(1000L, 2000L);
            assertThat(backoff.delayMillis(Integer.MAX_VALUE)).isBetween(1000L, 2000L);
        }
    }

    @Test
    void jitterSpreadsTheDelays() {
        assertThat(java.util.stream.IntStream.range(0, 100).mapToLong(i -> backoff.delayMillis(4)).distinct().count()).isGreaterThan(10);
    }

    @Test
    void refusesAMaximumBelowTheMinimum() {
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
