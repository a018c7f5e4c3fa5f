package io.herald.redis;

/**
 * How much history {@link RedisBroker} keeps per topic: a function of the topic name, so that a
 * topic family (all {@code channel/...} topics, say) can keep a replay window while others keep none.
 * The default, {@link #NONE}, keeps no history (offsets still advance). Implementations are called
 * on every publish: they must be fast and thread-safe.
 */
@FunctionalInterface
public interface HistoryPolicy {

    /** No history for any topic. */
    HistoryPolicy NONE = topic -> Retention.NONE;

    Retention forTopic(String topic);

    /** Keep the last {@code size} publications (0 = none) for {@code ttlSeconds} after the latest. */
    record Retention(int size, long ttlSeconds) {
        public static final Retention NONE = new Retention(0, 0);

        public Retention {
            if (size < 0 || (size > 0 && ttlSeconds < 1)) {
                throw new IllegalArgumentException("history size must be >= 0 and its TTL >= 1 s, got " + size + " / " + ttlSeconds);
            }
        }
    }
}
