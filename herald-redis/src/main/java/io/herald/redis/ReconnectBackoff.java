package io.herald.redis;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays between reconnect attempts: exponential from {@code min} to {@code max}, with "equal
 * jitter" (half the step fixed, half random) so that many nodes that lost Redis at once do not come
 * back in lockstep, yet no attempt follows the previous one immediately. Immutable and thread-safe.
 */
public record ReconnectBackoff(Duration min, Duration max) {

    public static final ReconnectBackoff DEFAULT = new ReconnectBackoff(Duration.ofMillis(50), Duration.ofSeconds(5));

    public ReconnectBackoff {
        if (min == null || max == null || min.toMillis() < 1 || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("reconnect backoff needs 1 ms <= min <= max, got " + min + " / " + max);
        }
    }

    /** The delay in milliseconds before attempt {@code failures + 1}, after {@code failures} failed ones (0 = first retry). */
    public long delayMillis(int failures) {
        long step = min.toMillis() << Math.min(Math.max(failures, 0), 30);
        long capped = step <= 0 ? max.toMillis() : Math.min(max.toMillis(), step);
        long half = capped / 2;
        return half + ThreadLocalRandom.current().nextLong(capped - half + 1);
    }
}
