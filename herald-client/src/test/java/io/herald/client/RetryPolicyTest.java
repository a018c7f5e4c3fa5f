package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The retry policy's arithmetic and which failures it retries. */
class RetryPolicyTest {
    private static HeraldClientException http(int status, String error) {
        return new HeraldClientException(HeraldClientException.Kind.HTTP, "x", status, error, null, null);
    }

    private static HeraldClientException noAnswer(HeraldClientException.Kind kind) {
        return new HeraldClientException(kind, "x", 0, null, null, null);
    }

    @Test
    void onlyTooManyRequestsAndAnUnavailableBrokerAreRetryable() {
        assertThat(RetryPolicy.isRetryable(http(429, "too_many_requests"))).isTrue();
        assertThat(RetryPolicy.isRetryable(http(429, "overloaded"))).isTrue();
        assertThat(RetryPolicy.isRetryable(http(429, null))).isTrue();
        assertThat(RetryPolicy.isRetryable(http(503, "broker_unavailable"))).isTrue();
        assertThat(RetryPolicy.isRetryable(http(503, "unavailable"))).isFalse();
        assertThat(RetryPolicy.isRetryable(http(503, "shutting_down"))).isFalse();
        assertThat(RetryPolicy.isRetryable(http(503, null))).isFalse();
        assertThat(RetryPolicy.isRetryable(http(500, "internal_error"))).isFalse();
        assertThat(RetryPolicy.isRetryable(http(401, "invalid_credentials"))).isFalse();
        for (HeraldClientException.Kind kind : HeraldClientException.Kind.values()) {
            if (kind != HeraldClientException.Kind.HTTP) {
                assertThat(RetryPolicy.isRetryable(noAnswer(kind))).as(kind.name()).isFalse();
            }
        }
    }

    @Test
    void attemptsAreCountedFromTheFirst() {
        RetryPolicy three = RetryPolicy.backoff(3, Duration.ofMillis(1), Duration.ofMillis(1));
        HeraldClientException busy = http(429, "too_many_requests");

        assertThat(three.retries(busy, 1)).isTrue();
        assertThat(three.retries(busy, 2)).isTrue();
        assertThat(three.retries(busy, 3)).isFalse();
        assertThat(RetryPolicy.none().retries(busy, 1)).isFalse();
    }

    @Test
    void delaysAreFullJitterUnderADoublingCeilingCappedAtTheMaximum() {
        RetryPolicy p = RetryPolicy.backoff(10, Duration.ofMillis(100), Duration.ofMillis(1000));
        long[] ceilings = {100, 200, 400, 800, 1000, 1000, 1000};
        for (int retry = 1; retry <= ceilings.length; retry++) {
            long max = 0;
            for (int i = 0; i < 2000; i++) {
                Duration d = p.delay(retry);
                assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(ceilings[retry - 1]));
                max = Math.max(max, d.toMillis());
            }
            assertThat(max).as("retry %d spreads over its whole range", retry).isGreaterThan(ceilings[retry - 1] / 2);
        }
        assertThat(p.delay(1_000_000)).isLessThanOrEqualTo(Duration.ofMillis(1000));
        assertThat(RetryPolicy.none().delay(1)).isEqualTo(Duration.ZERO);
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThatThrownBy(() -> RetryPolicy.backoff(0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.backoff(2, Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.backoff(2, Duration.ofMillis(-1), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
