package io.herald.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When {@link HeraldClient} sends a refused call again: only for answers that say the publish was not
 * made and may succeed later, 503 {@code broker_unavailable} (a cluster's Redis is unreachable) and
 * 429 (a limit such as {@code lanes.maxPendingPerLane} or {@code channels.maxChannels}). Nothing else is
 * retried: not other errors, not timeouts, not broken connections (a publish may have gone out).
 *
 * <p>Before retry {@code n} (1, 2, ...) the client waits a random time between 0 and
 * {@code min(maxDelay, baseDelay * 2^(n-1))} ("full jitter"), so many publishers refused at once do
 * not come back at once. The client's timeout applies to each attempt, not to the sum.
 *
 * @param maxAttempts the attempts in all, the first included (1: no retry)
 * @param baseDelay   the backoff's first ceiling
 * @param maxDelay    the highest ceiling
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay");
        }
    }

    /** One attempt, no retry: the client's default. */
    public static RetryPolicy none() {
        return NONE;
    }

    /** {@code maxAttempts} attempts in all, with full-jitter backoff from {@code baseDelay} up to {@code maxDelay}. */
    public static RetryPolicy backoff(int maxAttempts, Duration baseDelay, Duration maxDelay) {
        return new RetryPolicy(maxAttempts, baseDelay, maxDelay);
    }

    /** Whether {@code failure} of attempt {@code attempt} (1 for the first) is tried again. */
    public boolean retries(HeraldClientException failure, int attempt) {
        return attempt < maxAttempts && isRetryable(failure);
    }

    /** Whether the server said the call was not carried out and may succeed later: 429, or 503 {@code broker_unavailable}. */
    public static boolean isRetryable(HeraldClientException failure) {
        return failure.kind() == HeraldClientException.Kind.HTTP
                && (failure.status() == 429
                || (failure.status() == 503 && failure.error().filter("broker_unavailable"::equals).isPresent()));
    }

    /** The wait before retry {@code retry} (1 for the first retry): uniform in [0, min(maxDelay, baseDelay * 2^(retry-1))]. */
    public Duration delay(int retry) {
        long base = baseDelay.toNanos();
        long cap = maxDelay.toNanos();
        long ceiling = base;
        for (int i = 1; i < retry && ceiling < cap; i++) {
            ceiling = ceiling > cap / 2 ? cap : ceiling * 2;
        }
        ceiling = Math.min(ceiling, cap);
        return Duration.ofNanos(ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}
